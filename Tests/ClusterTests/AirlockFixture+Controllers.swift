import AirlockController
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTesting

/// A controller started besides (or after) the fixture's own: the standby of a leader
/// election, or the controller after a restart. Its own client, the fixture's configuration.
final class RunningController: Sendable {
    let airlock: AirlockOperator
    let client: KubernetesClient
    private let task: Task<Void, Never>

    init(airlock: AirlockOperator, client: KubernetesClient) {
        self.airlock = airlock
        self.client = client
        self.task = Task { await airlock.run() }
    }

    /// Stops it (gracefully: a leader releases its Lease) and waits.
    func stop() async {
        task.cancel()
        await task.value
        try? await client.shutdown()
    }
}

extension AirlockFixture {
    /// Starts another controller with the fixture's configuration, as leader-election candidate
    /// `identity` when the configuration elects a leader; `configure` adjusts it further; its
    /// calls go through `faults` when given.
    func startController(
        identity: String, faults: FaultPlan? = nil,
        configure: (@Sendable (inout OperatorConfiguration, KubernetesClient) -> Void)? = nil
    ) async throws -> RunningController {
        var clientConfiguration = try plane.clientConfiguration(as: "controller")
        if let faults { clientConfiguration.interceptor = { request in try faults.intercept(request) } }
        let client = try KubernetesClient(configuration: clientConfiguration)
        var configuration = self.configuration
        configuration.leaderElection?.identity = identity
        // Two controllers appending to one audit file would interleave its chain.
        configuration.auditFile = nil
        configure?(&configuration, client)
        let airlock = try AirlockOperator(client: client, signer: signer, configuration: configuration, logger: logger)
        let running = RunningController(airlock: airlock, client: client)
        try await eventually("controller \(identity) ready", timeout: .seconds(30)) { airlock.isReady }
        return running
    }

    /// Installs a Role of manifests/rbac.yaml (written for `airlock-system`) in `namespace` and
    /// binds it to the controller, as the manifests bind it to Airlock's ServiceAccount.
    static func installControllerRole(_ name: String, in namespace: String, admin: KubernetesClient) async throws {
        guard
            let object = try manifestObjects("manifests/rbac.yaml").first(where: {
                $0["kind"] == "Role" && $0["metadata"]?["name"] == .string(name)
            })
        else { throw KubeTestingError(.other, "manifests/rbac.yaml has no Role \(name)") }
        var role = try KubeJSON.decode(Role.self, from: KubeJSON.encode(object))
        role.metadata.namespace = namespace
        _ = try await admin.create(role)
        _ = try await admin.create(
            RoleBinding(
                metadata: ObjectMeta(name: name, namespace: namespace), subjects: [.user("controller")],
                roleRef: RoleRef(kind: "Role", name: name)))
    }
}

extension AirlockFixture {
    /// Stops the fixture's own controller (gracefully: as a leader it releases its Lease); the
    /// admission webhook keeps running.
    func stopController() async throws {
        guard let running = tasks.withLock({ $0.last }) else { return }
        running.cancel()
        _ = await running.result
    }

    /// The holder of the Lease `name` in the fixture's namespace.
    func leaseHolder(_ name: String = "airlock") async throws -> String? {
        try await admin.get(Lease.self, name: name, namespace: namespace).spec?.holderIdentity
    }
}
