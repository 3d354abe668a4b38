import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTesting
import Logging
import Synchronization
import Testing

/// A sample controller: stamps `stamped=<value of data.v>` on ConfigMaps labelled
/// `sample=<label>`, and records what it reconciled.
final class StampReconciler: Reconciler {
    let client: KubernetesClient
    let store: Mutex<Store<ConfigMap>?> = Mutex(nil)
    let reconciled = Mutex<[ObjectKey]>([])
    let missing = Mutex<Set<ObjectKey>>([])

    init(client: KubernetesClient) { self.client = client }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        reconciled.withLock { $0.append(key) }
        guard let map = store.withLock({ $0 })?.get(key) else {
            missing.withLock { _ = $0.insert(key) }
            return .done
        }
        let value = map.data?["v"] ?? ""
        guard map.metadata.annotations?["stamped"] != value else { return .done }
        _ = try await client.patch(
            ConfigMap.self, name: key.name, namespace: key.namespace,
            patch: .merge(["metadata": ["annotations": ["stamped": .string(value)]]]))
        return .done
    }

    var count: Int { reconciled.withLock { $0.count } }
}

func makeStampController(
    client: KubernetesClient, namespace: String, name: String = "stamper"
) -> (Controller<ConfigMap>, StampReconciler) {
    let logger = Logger(label: "test.\(name)")
    let reconciler = StampReconciler(client: client)
    let informer = Informer(
        client: client, ConfigMap.self, namespace: namespace, labelSelector: "sample", logger: logger)
    reconciler.store.withLock { $0 = informer.store }
    let controller = Controller(name: name, primary: informer, reconciler: reconciler, workers: 2, logger: logger)
    return (controller, reconciler)
}

func stamp(_ client: KubernetesClient, _ namespace: String, _ name: String) async throws -> String? {
    try await client.get(ConfigMap.self, name: name, namespace: namespace).metadata.annotations?["stamped"]
}

func sampleMap(_ namespace: String, _ name: String, _ value: String) -> ConfigMap {
    ConfigMap(metadata: ObjectMeta(name: name, namespace: namespace, labels: ["sample": "yes"]), data: ["v": value])
}

@Suite(.serialized) struct RuntimeTests {
    @Test func sampleControllerReconcilesCreatesUpdatesAndDeletes() async throws {
        let plane = try await TestControlPlane.shared()
        let client = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "runtime")
        _ = try await client.create(sampleMap(namespace, "before", "1"))  // exists before the controller starts
        let (controller, reconciler) = makeStampController(client: client, namespace: namespace)
        let manager = ControllerManager(controllers: [controller], elector: nil, logger: Logger(label: "test"))
        let running = Task { await manager.run() }
        defer { running.cancel() }

        try await eventually("initial object stamped") { try await stamp(client, namespace, "before") == "1" }
        #expect(manager.isReady)
        _ = try await client.create(sampleMap(namespace, "a", "x"))
        try await eventually("created object stamped") { try await stamp(client, namespace, "a") == "x" }
        _ = try await client.patch(ConfigMap.self, name: "a", namespace: namespace, patch: .merge(["data": ["v": "y"]]))
        try await eventually("updated object re-stamped") { try await stamp(client, namespace, "a") == "y" }
        // Unlabelled objects are not watched.
        _ = try await client.create(
            ConfigMap(metadata: ObjectMeta(name: "other", namespace: namespace), data: ["v": "z"]))
        try await client.delete(ConfigMap.self, name: "a", namespace: namespace)
        try await eventually("deletion reconciled") {
            reconciler.missing.withLock { $0.contains(ObjectKey(namespace: namespace, name: "a")) }
        }
        #expect(try await stamp(client, namespace, "other") == nil)
        #expect(!reconciler.reconciled.withLock { $0 }.contains(ObjectKey(namespace: namespace, name: "other")))
    }

    @Test func recoversWhenTheAPIServerRestartsAndMissesNothing() async throws {
        // A control plane of its own: restarting the shared one would break other tests.
        let plane = try await TestControlPlane.start()
        do {
            let client = try KubernetesClient(
                configuration: try plane.clientConfiguration(as: plane.configuration.adminUser))
            let namespace = try await plane.makeNamespace(prefix: "restart")
            let (controller, reconciler) = makeStampController(client: client, namespace: namespace)
            let manager = ControllerManager(controllers: [controller], elector: nil, logger: Logger(label: "test"))
            let running = Task { await manager.run() }
            _ = try await client.create(sampleMap(namespace, "keep", "1"))
            _ = try await client.create(sampleMap(namespace, "drop", "1"))
            try await eventually("stamped before restart") {
                let keep = try await stamp(client, namespace, "keep")
                let drop = try await stamp(client, namespace, "drop")
                return keep == "1" && drop == "1"
            }

            try await plane.restartAPIServer()
            // Changes made while the controller's watch is broken or reconnecting.
            _ = try await client.patch(
                ConfigMap.self, name: "keep", namespace: namespace, patch: .merge(["data": ["v": "2"]]))
            try await client.delete(ConfigMap.self, name: "drop", namespace: namespace)
            _ = try await client.create(sampleMap(namespace, "new", "3"))

            try await eventually("changes after the restart reconciled", timeout: .seconds(60)) {
                let keep = try await stamp(client, namespace, "keep")
                let new = try await stamp(client, namespace, "new")
                let dropSeen = reconciler.missing.withLock {
                    $0.contains(ObjectKey(namespace: namespace, name: "drop"))
                }
                return keep == "2" && new == "3" && dropSeen
            }
            #expect(controller.primary.store.get(name: "drop", namespace: namespace) == nil)
            running.cancel()
            await running.value
            try await client.shutdown()
        } catch {
            await plane.stop()
            throw error
        }
        await plane.stop()
    }

    @Test func aReListDropsObjectsDeletedWhileDisconnected() async throws {
        // The recovery path after a 410 or a long disconnect: a re-list brings a store that missed a
        // deletion back in line (the state machine's `.replace`).
        let plane = try await TestControlPlane.shared()
        let client = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "relist")
        let writer = StoreWriter<ConfigMap>()
        // Pretend a stale cache: it holds an object the server no longer has.
        writer.apply(.event(.added(sampleMap(namespace, "ghost", "0"))))
        _ = try await client.create(sampleMap(namespace, "real", "1"))
        let list = try await client.listAll(
            ConfigMap.self, namespace: namespace, options: ListOptions(labelSelector: "sample"))
        let changes = writer.replace(with: list.items)
        #expect(
            changes.contains {
                if case .deleted(let map) = $0 { return map.metadata.name == "ghost" } else { return false }
            })
        #expect(writer.store.get(name: "real", namespace: namespace) != nil)
        #expect(writer.store.get(name: "ghost", namespace: namespace) == nil)
    }

    @Test func aLeaderWhoseLeaseIsTakenStopsReconciling() async throws {
        let plane = try await TestControlPlane.shared()
        let admin = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "lost")
        let (controller, reconciler) = makeStampController(client: admin, namespace: namespace, name: "stamper-lost")
        let elector = LeaderElector(
            client: admin,
            configuration: LeaderElectionConfiguration(
                leaseName: "lost", namespace: namespace, identity: "a", leaseDuration: .seconds(4),
                renewDeadline: .seconds(2), retryPeriod: .milliseconds(300)),
            logger: Logger(label: "test.elector.lost"))
        let manager = ControllerManager(controllers: [controller], elector: elector, logger: Logger(label: "test"))
        let running = Task { await manager.run() }
        defer { running.cancel() }
        _ = try await admin.create(sampleMap(namespace, "one", "1"))
        try await eventually("stamped while leading") { try await stamp(admin, namespace, "one") == "1" }

        // Another identity takes the Lease (a partition, a manual takeover): renewals fail.
        // The leader renews every 300 ms, so our write may conflict with a renewal: read again.
        try await eventually("the Lease taken") {
            var lease = try await admin.get(Lease.self, name: "lost", namespace: namespace)
            lease.spec?.holderIdentity = "intruder"
            lease.spec?.renewTime = Date()
            lease.spec?.leaseDurationSeconds = 3600
            do {
                _ = try await admin.update(lease)
                return true
            } catch let error as KubernetesError where error.code == 409 {
                return false
            }
        }
        let taken = ContinuousClock.now
        try await eventually("a stops leading", timeout: .seconds(10)) { await !elector.isLeader }
        #expect(ContinuousClock.now - taken < .seconds(4), "gave up after \(ContinuousClock.now - taken)")

        // The cache keeps running, the workers do not.
        let before = reconciler.count
        _ = try await admin.create(sampleMap(namespace, "two", "2"))
        try await eventually("cached") { controller.primary.store.get(name: "two", namespace: namespace) != nil }
        #expect(reconciler.count == before)
        #expect(try await stamp(admin, namespace, "two") == nil)
    }

    @Test func onlyTheLeaderReconcilesAndTheStandbyTakesOver() async throws {
        let plane = try await TestControlPlane.shared()
        let admin = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "leader")
        // Clients of their own, so the first one can "crash" (its connections cut).
        let clientA = try KubernetesClient(
            configuration: try plane.clientConfiguration(as: plane.configuration.adminUser))
        let clientB = try KubernetesClient(
            configuration: try plane.clientConfiguration(as: plane.configuration.adminUser))
        func candidate(
            _ client: KubernetesClient, _ identity: String
        ) -> (ControllerManager, StampReconciler, LeaderElector) {
            let (controller, reconciler) = makeStampController(
                client: client, namespace: namespace, name: "stamper-\(identity)")
            let elector = LeaderElector(
                client: client,
                configuration: LeaderElectionConfiguration(
                    leaseName: "stamper", namespace: namespace, identity: identity, leaseDuration: .seconds(4),
                    renewDeadline: .seconds(3), retryPeriod: .milliseconds(500)),
                logger: Logger(label: "test.elector.\(identity)"))
            return (
                ControllerManager(controllers: [controller], elector: elector, logger: Logger(label: "test")),
                reconciler, elector
            )
        }
        let (managerA, reconcilerA, electorA) = candidate(clientA, "a")
        let runningA = Task { await managerA.run() }
        try await eventually("a leads") { await electorA.isLeader }
        let (managerB, reconcilerB, electorB) = candidate(clientB, "b")
        let runningB = Task { await managerB.run() }
        defer { runningB.cancel() }

        _ = try await admin.create(sampleMap(namespace, "one", "1"))
        try await eventually("stamped by the leader") { try await stamp(admin, namespace, "one") == "1" }
        try await eventually("standby's cache synced") { managerB.isReady }
        #expect(reconcilerA.count > 0)
        #expect(reconcilerB.count == 0)
        #expect(await !electorB.isLeader)

        // The leader crashes: its connections die, so it cannot release the Lease. The standby
        // must take over once the lease duration has passed.
        let crashed = ContinuousClock.now
        try await clientA.shutdown()
        runningA.cancel()
        try await eventually("b takes over", timeout: .seconds(15)) { await electorB.isLeader }
        let takeover = ContinuousClock.now - crashed
        #expect(takeover < .seconds(4 + 2), "takeover took \(takeover)")
        _ = try await admin.create(sampleMap(namespace, "two", "2"))
        try await eventually("stamped by the new leader") { try await stamp(admin, namespace, "two") == "2" }
        #expect(reconcilerB.count > 0)
        let lease = try await admin.get(Lease.self, name: "stamper", namespace: namespace)
        #expect(lease.spec?.holderIdentity == "b")
        #expect(lease.spec?.leaseTransitions == 1)

        // A graceful stop releases the Lease at once.
        runningB.cancel()
        await runningB.value
        let released = try await admin.get(Lease.self, name: "stamper", namespace: namespace)
        #expect(released.spec?.holderIdentity == nil)
        try await clientB.shutdown()
    }
}
