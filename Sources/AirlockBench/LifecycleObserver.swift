import AirlockAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import Synchronization

/// Watches requests and their RoleBindings (informers, which reconnect when a slow watch is
/// dropped) and notes when each was sent, granted, due to expire and actually revoked.
final class LifecycleObserver: Sendable {
    struct Times: Sendable {
        var sent: Date?
        /// When the create call returned (the webhooks and the write done).
        var created: Date?
        /// When the request's first RoleBinding was seen (its Role made before it).
        var bound: Date?
        var granted: Date?
        var expiresAt: Date?
        /// When the request's RoleBinding was seen deleted (access ended).
        var revoked: Date?
        /// Every RoleBinding of the request seen, and when the last one was seen deleted.
        var bindings: Set<String> = []
    }

    /// What each request's own watch events and the bench's calls said, by request name.
    private let times = Mutex<[String: Times]>([:])
    /// What the RoleBindings' watch events said, by request UID: a binding's event can come
    /// before its request's, on the other watch.
    private let bindingTimes = Mutex<[String: Times]>([:])
    /// Each request's UID, by name.
    private let requestUIDs = Mutex<[String: String]>([:])
    private let requests: Informer<ActionRequest>
    private let bindings: Informer<RoleBinding>
    private let tasks = Mutex<[Task<Void, Never>]>([])

    init(client: KubernetesClient, namespace: String, target: String, logger: Logger) {
        requests = Informer(client: client, ActionRequest.self, namespace: namespace, logger: logger)
        bindings = Informer(
            client: client, RoleBinding.self, namespace: target,
            labelSelector: AirlockConstants.Label.managedBySelector, logger: logger)
    }

    private func handle(_ change: StoreChange<ActionRequest>) {
        let request = change.object
        guard let name = request.metadata.name else { return }
        if let uid = request.metadata.uid { requestUIDs.withLock { $0[name] = uid } }
        guard request.status?.phase == .granted else { return }
        let now = Date()
        times.withLock { all in
            if all[name, default: Times()].granted == nil { all[name, default: Times()].granted = now }
            all[name, default: Times()].expiresAt = request.status?.expiresAt
        }
    }

    private func handle(_ change: StoreChange<RoleBinding>) {
        let binding = change.object
        guard let uid = binding.metadata.labels?[AirlockConstants.Label.requestUID] else { return }
        let now = Date()
        bindingTimes.withLock { all in
            if case .deleted = change {
                all[uid, default: Times()].revoked = now
            } else {
                all[uid, default: Times()].bindings.insert(binding.metadata.name ?? "")
                if all[uid, default: Times()].bound == nil { all[uid, default: Times()].bound = now }
            }
        }
    }

    func start() async throws {
        requests.addHandler { [self] change in handle(change) }
        bindings.addHandler { [self] change in handle(change) }
        let requests = self.requests
        let bindings = self.bindings
        tasks.withLock {
            $0 = [Task { await requests.run() }, Task { await bindings.run() }]
        }
        try await requests.store.waitUntilSynced()
        try await bindings.store.waitUntilSynced()
    }

    func stop() {
        tasks.withLock { $0.forEach { $0.cancel() } }
    }

    func sent(_ name: String, at date: Date) {
        times.withLock { $0[name, default: Times()].sent = date }
    }

    func created(_ name: String, at date: Date) {
        times.withLock { $0[name, default: Times()].created = date }
    }

    func times(of name: String) -> Times {
        let request = times.withLock { $0[name] } ?? Times()
        let uid = requestUIDs.withLock { $0[name] }
        return Self.joined(request, uid.flatMap { uid in bindingTimes.withLock { $0[uid] } })
    }

    /// A request's times with those its RoleBindings' events gave.
    private static func joined(_ request: Times, _ bindings: Times?) -> Times {
        guard let bindings else { return request }
        var result = request
        (result.bound, result.revoked, result.bindings) = (bindings.bound, bindings.revoked, bindings.bindings)
        return result
    }

    /// Writes a line per lifecycle `lc-0` ... : index, then when it was sent, granted, due to
    /// expire, revoked, created (the create call returned) and its RoleBinding seen, in seconds
    /// since 1970 (0 when not seen).
    func write(count: Int, to path: String) throws {
        func seconds(_ date: Date?) -> String { String(format: "%.6f", date?.timeIntervalSince1970 ?? 0) }
        let lines = (0..<count).map { index in
            let times = times(of: "lc-\(index)")
            return
                "\(index) \(seconds(times.sent)) \(seconds(times.granted)) \(seconds(times.expiresAt)) \(seconds(times.revoked))"
                + " \(seconds(times.created)) \(seconds(times.bound))"
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    func count(where predicate: (Times) -> Bool) -> Int {
        let (all, uids, bindings) = (times.withLock { $0 }, requestUIDs.withLock { $0 }, bindingTimes.withLock { $0 })
        return all.count { name, request in predicate(Self.joined(request, uids[name].flatMap { bindings[$0] })) }
    }
}
