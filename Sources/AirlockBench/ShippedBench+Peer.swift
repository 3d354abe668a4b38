import AirlockAPI
import AirlockAdmission
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTesting
import Logging
import Synchronization

extension BenchEnvironment {
    /// The peer: (b)'s workload — `count` requests created one after another (or (r)'s, one
    /// every `pace`), each timed from its create to `Granted` seen — served by a bare
    /// watch-driven controller in place of Airlock's. It sees each new request on a watch and
    /// makes the floor's writes (the Role, the RoleBinding, the `Granted` status, computed by
    /// ``FloorGrant``), each request in its own task: no webhook, no Events, no policy, no
    /// expiry. Runs before Airlock's controller starts, in this process.
    func peer(_ label: String, count: Int, pace: Duration? = nil) async throws {
        try await withoutWebhooks {
            let (namespace, target) = try await namespaces("peer")
            let observer = LifecycleObserver(client: admin, namespace: namespace, target: target, logger: logger)
            try await observer.start()
            defer { observer.stop() }
            let controller = PeerController(client: admin, namespace: namespace, logger: logger)
            try await controller.start()
            defer { controller.stop() }
            let serverBefore = plane.serverCPUSeconds
            let start = ContinuousClock.now
            for index in 0..<count {
                if let pace { try await ContinuousClock().sleep(until: start.advanced(by: pace * index)) }
                let name = "lc-\(index)"
                var request = Self.request(name, namespace: namespace, target: target, seconds: 15)
                request.spec.requester = FloorGrant.requester
                observer.sent(name, at: Date())
                _ = try await admin.create(request)
                observer.created(name, at: Date())
            }
            let created = start.duration(to: ContinuousClock.now)
            try await eventually("the peer granted all", timeout: .seconds(600), interval: .milliseconds(20)) {
                observer.count { $0.granted != nil } == count
            }
            let allGranted = start.duration(to: ContinuousClock.now)
            let serverCPU = plane.serverCPUSeconds - serverBefore
            var granted = Samples()
            var createCalls = Samples()
            var toBinding = Samples()
            var bindingToGranted = Samples()
            for index in 0..<count {
                let times = observer.times(of: "lc-\(index)")
                guard let sent = times.sent, let made = times.created, let at = times.granted else { continue }
                granted.add(.seconds(at.timeIntervalSince(sent)))
                createCalls.add(.seconds(made.timeIntervalSince(sent)))
                // A RoleBinding seen before its request is not matched to it (as in (b)).
                guard let bound = times.bound else { continue }
                toBinding.add(.seconds(bound.timeIntervalSince(made)))
                bindingToGranted.add(.seconds(at.timeIntervalSince(bound)))
            }
            say(
                "\(label), granted by a bare watch-driven controller (no webhook, no Events):"
                    + " created in \(String(format: "%.2f", created.seconds)) s, all granted after"
                    + " \(String(format: "%.2f", allGranted.seconds)) s;"
                    + " \(String(format: "%.2f", serverCPU * 1000 / Double(count))) ms API server + etcd CPU per grant")
            say("  create -> Granted: \(granted.summary)")
            say("    the create call: \(createCalls.summary)")
            say("    create returned -> RoleBinding seen: \(toBinding.summary)")
            say("    RoleBinding seen -> Granted seen: \(bindingToGranted.summary)")
            collectionsReport(observer, count: count, expiries: false).forEach(say)
            // Leave nothing for Airlock's controller to find: these requests were never real.
            try await admin.deleteCollection(ActionRequest.self, namespace: namespace, labelSelector: "")
            try await admin.deleteCollection(RoleBinding.self, namespace: target, labelSelector: "bench=peer")
            try await admin.deleteCollection(Role.self, namespace: target, labelSelector: "bench=peer")
        }
    }

    /// Runs `body` with Airlock's webhook configurations deleted (the floor and the peer go
    /// without them), and puts them back after.
    func withoutWebhooks<T>(_ body: () async throws -> T) async throws -> T {
        try await admin.delete(MutatingWebhookConfiguration.self, name: WebhookConfigurations.defaultName)
        try await admin.delete(ValidatingWebhookConfiguration.self, name: WebhookConfigurations.defaultName)
        let result = try await body()
        let endpoint = WebhookConfigurations.Endpoint.url("https://127.0.0.1:\(controller.webhookPort)")
        _ = try await admin.create(WebhookConfigurations.mutating(endpoint: endpoint))
        _ = try await admin.create(WebhookConfigurations.validating(endpoint: endpoint))
        return result
    }
}

/// The peer's controller: a watch on one namespace's requests, and for each request seen
/// without a status, the floor's three writes in a task of its own.
final class PeerController: Sendable {
    private let client: KubernetesClient
    private let requests: Informer<ActionRequest>
    private let grant: FloorGrant
    private let started = Mutex<Set<ObjectKey>>([])
    private let tasks = Mutex<[Task<Void, Never>]>([])

    init(client: KubernetesClient, namespace: String, logger: Logger) {
        self.client = client
        self.grant = FloorGrant(namespace: namespace)
        requests = Informer(client: client, ActionRequest.self, namespace: namespace, logger: logger)
    }

    func start() async throws {
        requests.addHandler { [self] change in
            guard case .added(let request) = change, request.status == nil,
                started.withLock({ $0.insert(request.key).inserted })
            else { return }
            let task = Task { await self.grantAccess(request) }
            tasks.withLock { $0.append(task) }
        }
        let requests = self.requests
        let run = Task { await requests.run() }
        tasks.withLock { $0.append(run) }
        try await requests.store.waitUntilSynced()
    }

    func stop() {
        tasks.withLock { $0.forEach { $0.cancel() } }
    }

    private func grantAccess(_ request: ActionRequest) async {
        do {
            try await grant.write(request, label: "peer", with: client)
        } catch {
            // The bench waits for every grant and names the missing ones by timing out.
            progress("peer: \(request.key) not granted: \(error)")
        }
    }
}
