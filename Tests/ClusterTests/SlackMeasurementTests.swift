import AirlockAPI
import AirlockChat
import AirlockController
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTesting
import Logging
import Synchronization
import Testing

/// Issue 10's figures, with the fake Slack on loopback and the real API server: a click's way
/// to a grant, and how fast a burst of requests reaches Slack. Prints figures; asserts only
/// that everything arrived. Run alone for stable figures:
/// `swift test --skip-build --filter SlackMeasurementTests`.
@Suite(.serialized) struct SlackMeasurementTests {
    static let clicks = 50
    static let burst = 200
    static let workers = Int(ProcessInfo.processInfo.environment["AIRLOCK_NOTIFY_WORKERS"] ?? "") ?? 4

    @Test(.tags(.measurement)) func measureClickToGrantAndBurstDelivery() async throws {
        try await ChatFixture.with("slack-measure", configure: { $0.workers = Self.workers }) { chat in
            try await chat.policy()
            var logger = Logger(label: "test.observer")
            logger.logLevel = .critical
            // When each request was first seen Granted, on a watch.
            let granted = Stamps()
            let pending = Stamps()
            let observer = Informer(client: chat.admin, ActionRequest.self, namespace: chat.namespace, logger: logger)
            observer.addHandler { change in
                guard let name = change.object.metadata.name else { return }
                let now = ContinuousClock.now
                switch change.object.status?.phase {
                case .granted: granted.times.withLock { if $0[name] == nil { $0[name] = now } }
                case .pending: pending.times.withLock { if $0[name] == nil { $0[name] = now } }
                default: break
                }
            }
            let watching = Task { await observer.run() }
            defer { watching.cancel() }
            try await observer.store.waitUntilSynced()

            // 1. Click received -> ActionReview persisted (the answer waits for it) -> grant.
            var persisted: [Duration] = []
            var toGrant: [Duration] = []
            for index in 0..<Self.clicks {
                let name = "click-\(index)"
                try await chat.airlock.request(name, by: "alice")
                let card = try await chat.card(name)
                let click = try chat.slack.blockActions(clicking: SlackActionID.approve, on: card, user: "U0BOB")
                let sent = ContinuousClock.now
                let (status, _) = try await chat.slack.post(click, to: chat.url)
                let answered = ContinuousClock.now
                #expect(status == 200)
                let at = try await eventuallyValue("\(name) granted", timeout: .seconds(20), interval: .milliseconds(1))
                {
                    granted.times.withLock { $0[name] }
                }
                persisted.append(sent.duration(to: answered))
                toGrant.append(sent.duration(to: at))
            }
            print(
                "[measurement] Slack click -> ActionReview persisted (answer sent): \(Self.summary(persisted));"
                    + " click -> grant created (Granted seen on a watch): \(Self.summary(toGrant))")

            // 2. A burst of requests needing review: how fast do their cards reach Slack?
            let created = Stamps()
            let posted = Stamps()
            let start = ContinuousClock.now
            let poller = Task {
                while !Task.isCancelled {
                    let now = ContinuousClock.now
                    let names = chat.slack.messages.compactMap { $0.metadata?["event_payload"]?["name"]?.stringValue }
                    posted.times.withLock { seen in for name in names where seen[name] == nil { seen[name] = now } }
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            defer { poller.cancel() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<16 {
                    group.addTask {
                        for index in stride(from: lane, to: Self.burst, by: 16) {
                            let name = "burst-\(index)"
                            created.times.withLock { $0[name] = ContinuousClock.now }
                            try await chat.airlock.request(name, by: "alice")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let createdAll = ContinuousClock.now
            try await eventually("\(Self.burst) cards posted", timeout: .seconds(120), interval: .milliseconds(5)) {
                posted.times.withLock { seen in (0..<Self.burst).allSatisfy { seen["burst-\($0)"] != nil } }
            }
            let done = ContinuousClock.now
            let elapsed = start.duration(to: done)
            let latencies = (0..<Self.burst).map { index in
                let name = "burst-\(index)"
                return created.times.withLock { $0[name]! }.duration(to: posted.times.withLock { $0[name]! })
            }
            let delivered = (0..<Self.burst).compactMap { index -> Duration? in
                let name = "burst-\(index)"
                return pending.times.withLock { $0[name] }.map { $0.duration(to: posted.times.withLock { $0[name]! }) }
            }
            let evaluated = (0..<Self.burst).compactMap { index -> Duration? in
                let name = "burst-\(index)"
                return pending.times.withLock { $0[name] }.map { created.times.withLock { $0[name]! }.duration(to: $0) }
            }
            print(
                "[measurement] burst of \(Self.burst) requests needing review (16 creating at once, created in"
                    + " \(Self.format(start.duration(to: createdAll)))): all \(Self.burst) cards posted after"
                    + " \(Self.format(elapsed)) = \(String(format: "%.0f", Double(Self.burst) / elapsed.seconds))"
                    + " messages/s; create -> card posted \(Self.summary(latencies)); create -> Pending (the"
                    + " lifecycle's part) \(Self.summary(evaluated)); Pending -> card posted (the notifier's part)"
                    + " \(Self.summary(delivered)); \(Self.workers) notification workers")
            let posts = chat.slack.calls("chat.postMessage").filter { $0.threadTS == nil && $0.succeeded }
            #expect(posts.count == Self.burst + Self.clicks, "each card exactly once")
        }
    }

    static func summary(_ values: [Duration]) -> String {
        func percentile(_ p: Double) -> Duration {
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
        }
        return "p50 \(format(percentile(0.5))), p99 \(format(percentile(0.99))), max \(format(percentile(1)))"
            + " (n=\(values.count))"
    }

    static func format(_ duration: Duration) -> String {
        String(format: "%.1f ms", duration.seconds * 1000)
    }
}

/// When each name was first seen doing something.
final class Stamps: Sendable {
    let times = Mutex<[String: ContinuousClock.Instant]>([:])
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
