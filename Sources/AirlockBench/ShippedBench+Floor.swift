import AirlockAPI
import AirlockController
import AirlockPolicy
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Synchronization

extension BenchEnvironment {
    /// The floor: the API writes of an auto-approved Subject-mode grant (the request, its Role,
    /// its RoleBinding, the `Granted` status) by a bare client loop — no controller, no webhook,
    /// no informers — watched by the same observer as the lifecycles, so that its watches cost
    /// the server alike in both.
    ///
    /// The writes are the ones Airlock makes, computed by Airlock's own pure core
    /// (``FloorGrant``): the same objects and the same status, answered the same way
    /// (metadata only for the grant's writes, as `GrantApplier` and the reconciler ask). The
    /// floor of earlier rounds wrote a two-field status and read whole objects back;
    /// docs/performance.md compares the two.
    /// Returns how long the loops took.
    @discardableResult
    func floor(count: Int, width: Int) async throws -> Duration {
        try await withoutWebhooks { try await bareLoops(count: count, width: width) }
    }

    private func bareLoops(count: Int, width: Int) async throws -> Duration {
        let (namespace, target) = try await namespaces("floor")
        let observer = LifecycleObserver(client: admin, namespace: namespace, target: target, logger: logger)
        try await observer.start()
        defer { observer.stop() }
        let grant = FloorGrant(namespace: namespace)
        let serverBefore = plane.serverCPUSeconds
        let latencies = Mutex(Samples())
        let auditSince = Date()
        let start = ContinuousClock.now
        try await concurrently(count, width: width) { index in
            let began = ContinuousClock.now
            var request = Self.request("floor-\(index)", namespace: namespace, target: target, seconds: 15)
            request.spec.requester = FloorGrant.requester
            try await grant.write(try await admin.create(request), label: "floor", with: admin)
            let took = began.duration(to: ContinuousClock.now)
            latencies.withLock { $0.add(took) }
        }
        let elapsed = start.duration(to: ContinuousClock.now)
        let serverCPU = plane.serverCPUSeconds - serverBefore
        // Leave nothing for the controller to find: these requests were never real.
        try await admin.deleteCollection(ActionRequest.self, namespace: namespace, labelSelector: "")
        try await admin.deleteCollection(RoleBinding.self, namespace: target, labelSelector: "bench=floor")
        try await admin.deleteCollection(Role.self, namespace: target, labelSelector: "bench=floor")
        try await eventually("the floor's requests gone", timeout: .seconds(60)) {
            try await admin.list(ActionRequest.self, namespace: namespace).items.isEmpty
        }
        say(
            "floor: \(count) grants' writes (request, Role, RoleBinding, status as Airlock writes them) by \(width)"
                + " bare client loop(s): \(String(format: "%.2f", elapsed.seconds)) s (\(Int(Double(count) / elapsed.seconds))/s);"
                + " \(String(format: "%.2f", serverCPU * 1000 / Double(count))) ms API server + etcd CPU per grant;"
                + " create -> status written \(latencies.withLock { $0.summary })")
        try await audit?.report(prefix: "floor", count: count, since: auditSince)
        return elapsed
    }

    static func ref<R: KubeResource>(_ object: R, _ stored: ObjectMeta) -> GrantRef {
        GrantRef(
            apiVersion: R.apiVersion, kind: R.kind, namespace: stored.namespace, name: stored.name ?? "",
            uid: stored.uid)
    }
}

/// What Airlock would write for a floor request, decided by its own lifecycle (pure: no I/O)
/// as the controller would with the namespace's auto-approving policy.
struct FloorGrant {
    /// What the webhook stamps on a request of alice's (the signature has the real one's length).
    static let requester = Identity(
        username: "alice", uid: "alice", groups: ["dev", "system:authenticated"],
        signature: "v1:1796300103:" + String(repeating: "A", count: 43) + "=")

    let policy: ApprovalPolicy
    let evaluator = PolicyEvaluator(configuration: PolicyConfiguration(controllerNamespace: "airlock-system"))
    let lifecycle = ActionRequestLifecycle()

    init(namespace: String) {
        // The same policy as `namespaces(_:)` creates.
        policy = ApprovalPolicy(
            metadata: ObjectMeta(name: "\(namespace)-auto"),
            spec: ApprovalPolicySpec(
                match: PolicyMatch(requestNamespaces: [namespace]), decision: .autoApprove,
                maxDuration: KubeDuration(seconds: 3600)))
    }

    /// Makes the grant's writes as Airlock makes them (answered with metadata only): its Role,
    /// its RoleBinding, then the `Granted` status naming them. `label` is the value of the
    /// objects' `bench` label, for the cleanup.
    func write(_ request: ActionRequest, label: String, with client: KubernetesClient) async throws {
        let (plan, status) = try decide(request)
        var refs: [GrantRef] = []
        for var role in plan.roles {
            role.metadata.labels?["bench"] = label
            refs.append(BenchEnvironment.ref(role, try await client.createMetadata(role)))
        }
        for var binding in plan.roleBindings {
            binding.metadata.labels?["bench"] = label
            refs.append(BenchEnvironment.ref(binding, try await client.createMetadata(binding)))
        }
        var granted = request
        granted.status = status
        granted.status?.grants = refs
        _ = try await client.updateStatusMetadata(granted)
    }

    /// The grant's plan and the `Granted` status (its `grants` still to fill in).
    func decide(_ request: ActionRequest) throws -> (GrantPlan, ActionRequestStatus) {
        let evaluation = evaluator.evaluate(request: request, policies: [policy])
        let step = lifecycle.step(
            LifecycleObservation(request: request, now: Date(), requester: .verified, evaluation: evaluation))
        guard let effect = step.effects.first, case .grant(let plan) = effect, step.status.phase == .granted else {
            throw KubeTestingError(.other, "the lifecycle did not grant floor request \(request.key): \(step.effects)")
        }
        return (plan, step.status)
    }
}
