import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTesting
import Logging
import Testing

/// Timed work (an expiry) that came due while no worker ran: after a start, or while a
/// replica stood by and queued every change as it came.
@Suite struct DueWorkTests {
    /// A standby queues every change it sees; the object whose time came due while it stood by
    /// is handed out first when it starts working, not behind that backlog.
    @Test func workThatCameDueWhileStandingByGoesBeforeTheBacklog() async throws {
        let plane = try await TestControlPlane.shared()
        let admin = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "due")
        let logger = Logger(label: "test.due")
        let reconciler = StampReconciler(client: admin)
        let informer = Informer(
            client: admin, ConfigMap.self, namespace: namespace, labelSelector: "sample", logger: logger)
        reconciler.store.withLock { $0 = informer.store }
        let controller = Controller(
            name: "due", primary: informer, reconciler: reconciler, workers: 1,
            dueAt: { map in map.metadata.annotations?["due"].flatMap(RFC3339.parse) }, logger: logger)
        let informers = Task { await controller.runInformers() }
        defer { informers.cancel() }

        for index in 0..<20 { _ = try await admin.create(sampleMap(namespace, "backlog-\(index)", "\(index)")) }
        // Not due when it is cached (RFC 3339 keeps whole seconds here: at least 1 s ahead).
        let due = Date().addingTimeInterval(2)
        var expiring = sampleMap(namespace, "expiring", "x")
        expiring.metadata.annotations = ["due": RFC3339.format(due, fractional: false)]
        _ = try await admin.create(expiring)
        try await eventually("all cached") { controller.primary.store.list().count == 21 }
        try await eventually("its time comes", timeout: .seconds(5)) {
            RFC3339.parse(RFC3339.format(due, fractional: false))! < Date()
        }

        let workers = Task { await controller.runWorkers() }
        defer { workers.cancel() }
        try await eventually("the first reconcile") { reconciler.count > 0 }
        #expect(reconciler.reconciled.withLock { $0.first?.name } == "expiring")
    }
}
