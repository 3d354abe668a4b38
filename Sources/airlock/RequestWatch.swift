import AirlockAPI
import AirlockCLI
import Foundation
import KubeClient
import KubeCore
import Synchronization

/// Follows an ActionRequest through a watch until ``RequestFollower`` says it is decided,
/// or `timeout` passes: get, then watch from that resourceVersion; a watch the server ends
/// or answers 410 is re-opened after a fresh get.
enum RequestWatch {
    /// Returns how the request ended, or a `TimedOut` outcome. `status` is called with each
    /// new status line (and, with `tick`, every second for a live line).
    static func follow(
        client: KubernetesClient, name: String, namespace: String, timeout: Duration, needsCredential: Bool,
        tick: Bool = false, status: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> RequestOutcome {
        let follower = FollowerBox(RequestFollower(name: name, namespace: namespace, needsCredential: needsCredential))
        let clock = ContinuousClock()
        let start = clock.now
        return try await withThrowingTaskGroup(of: RequestOutcome?.self) { group in
            group.addTask {
                try await loop(client: client, name: name, namespace: namespace, follower: follower, status: status)
            }
            group.addTask {
                try await clock.sleep(until: start + timeout)
                return nil
            }
            if tick {
                group.addTask {
                    while true {
                        try await clock.sleep(for: .seconds(1))
                        if let line = follower.withLock({ $0.currentLine(now: Date()) }) { status(line) }
                    }
                }
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            return follower.withLock { $0.timedOut(after: start.duration(to: clock.now), now: Date()) }
        }
    }

    private static func loop(
        client: KubernetesClient, name: String, namespace: String, follower: FollowerBox,
        status: @Sendable (String) -> Void
    ) async throws -> RequestOutcome {
        func observe(_ request: ActionRequest) -> RequestOutcome? {
            switch follower.withLock({ $0.observe(request, now: Date()) }) {
            case .finish(let outcome): return outcome
            case .wait(let line, let changed):
                if changed { status(line) }
                return nil
            }
        }
        while true {
            let request: ActionRequest
            do {
                request = try await client.get(ActionRequest.self, name: name, namespace: namespace)
            } catch let error as KubernetesError where error.isNotFound {
                if case .finish(let outcome) = follower.withLock({ $0.deleted() }) { return outcome }
                continue
            } catch let error as KubernetesError {
                throw CLIFailure.api(error, doing: "get actionrequest \(namespace)/\(name)")
            }
            if let outcome = observe(request) { return outcome }
            do {
                let stream = try await client.watch(
                    ActionRequest.self, namespace: namespace,
                    options: ListOptions(
                        fieldSelector: "metadata.name=\(name)", resourceVersion: request.metadata.resourceVersion,
                        timeoutSeconds: 300))
                for try await event in stream {
                    switch event {
                    case .added(let object), .modified(let object):
                        if let outcome = observe(object) { return outcome }
                    case .deleted:
                        if case .finish(let outcome) = follower.withLock({ $0.deleted() }) { return outcome }
                    case .bookmark:
                        continue
                    }
                }
            } catch let error as KubernetesError where error.isGone || error.kind == .transport {
                // Re-list (get) and watch again.
                try await Task.sleep(for: .milliseconds(200))
            } catch let error as KubernetesError {
                throw CLIFailure.api(error, doing: "watch actionrequest \(namespace)/\(name)")
            }
        }
    }

    /// Waits up to `timeout` for the controller's first evaluation (a phase), returning the
    /// latest version seen.
    static func firstEvaluation(
        client: KubernetesClient, request: ActionRequest, timeout: Duration
    ) async throws -> ActionRequest {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var latest = request
        while latest.status?.phase == nil, clock.now < deadline {
            try await clock.sleep(for: .milliseconds(100))
            latest = try await api(
                "get actionrequest \(request.metadata.namespace ?? "")/\(request.metadata.name ?? "")"
            ) {
                try await client.get(
                    ActionRequest.self, name: request.metadata.name ?? "", namespace: request.metadata.namespace)
            }
        }
        return latest
    }
}

/// The follower, shared by the watch loop, the ticker and the timeout.
final class FollowerBox: Sendable {
    private let mutex: Mutex<RequestFollower>

    init(_ follower: RequestFollower) {
        mutex = Mutex(follower)
    }

    func withLock<T>(_ body: (inout RequestFollower) -> T) -> T {
        mutex.withLock { body(&$0) }
    }
}

extension RequestFollower {
    /// The status line of the last version seen, recomputed for `now` (its countdown moves).
    func currentLine(now: Date) -> String? {
        guard outcome == nil, let request = lastSeen else { return nil }
        return Self.statusLine(request, now: now)
    }
}

/// A one-line live status on a terminal's stderr, redrawn in place; nothing on a pipe.
final class LiveStatus: Sendable {
    private let enabled: Bool
    private let start = ContinuousClock.now
    private let drawn = Mutex(false)

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func show(_ line: String) {
        guard enabled else { return }
        let elapsed = Durations.short(ContinuousClock.now - start)
        let text = "\u{1B}[2K\r\u{1B}[33m…\u{1B}[0m [\(elapsed)] \(line)"
        drawn.withLock { $0 = true }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Clears the line before the final answer is printed.
    func clear() {
        guard enabled, drawn.withLock({ $0 }) else { return }
        FileHandle.standardError.write(Data("\u{1B}[2K\r".utf8))
    }
}
