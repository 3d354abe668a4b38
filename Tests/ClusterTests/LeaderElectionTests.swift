import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTesting
import Logging
import Synchronization
import Testing

@Suite struct LeaderElectionTests {
    /// The leader's API server stops answering: its renewal hangs instead of failing (an API
    /// server starting up, a black-holed path). It must stop leading within its renew
    /// deadline, before the Lease runs out and a standby takes over — not when the hanging
    /// request times out: two leaders at once act twice.
    @Test func aLeaderWhoseRenewalHangsStopsBeforeTheStandbyTakesOver() async throws {
        let plane = try await TestControlPlane.shared()
        let namespace = try await plane.makeNamespace(prefix: "hang")
        let proxy = try await TCPProxy.start(to: plane.server.port ?? 0)
        var viaProxy = try plane.clientConfiguration(as: plane.configuration.adminUser)
        viaProxy.server = try #require(URL(string: "https://127.0.0.1:\(proxy.port)"))
        let clientA = try KubernetesClient(configuration: viaProxy)
        let renewDeadline = Duration.milliseconds(2667)
        func elector(_ client: KubernetesClient, _ identity: String) -> LeaderElector {
            LeaderElector(
                client: client,
                configuration: LeaderElectionConfiguration(
                    leaseName: "hang", namespace: namespace, identity: identity, leaseDuration: .seconds(4),
                    renewDeadline: renewDeadline, retryPeriod: .milliseconds(533)),
                logger: Logger(label: "test.elector.\(identity)"))
        }
        let spans = LeadingSpans()
        let electorA = elector(clientA, "a")
        let runningA = Task { await electorA.run(whileLeading: spans.leading("a")) }
        defer { runningA.cancel() }
        try await eventually("a leads", timeout: .seconds(30)) { await electorA.isLeader }
        let electorB = elector(plane.adminClient, "b")
        let runningB = Task { await electorB.run(whileLeading: spans.leading("b")) }
        defer {
            runningA.cancel()
            runningB.cancel()
            proxy.stall(false)
        }

        let stalled = ContinuousClock.now
        proxy.stall(true)
        try await eventually("b takes over", timeout: .seconds(15)) { await electorB.isLeader }
        try await eventually("a stops leading", timeout: .seconds(5)) {
            spans["a"].count == 2
        }
        runningA.cancel()
        runningB.cancel()
        await proxy.stop()  // a's release fails at once instead of hanging
        await runningA.value
        await runningB.value
        try await clientA.shutdown()

        let aStopped = try #require(spans["a"].last)
        let bStarted = try #require(spans["b"].first)
        #expect(aStopped < bStarted, "a led until \(aStopped - bStarted) after b started")
        #expect(aStopped - stalled < renewDeadline + .seconds(1), "a led \(aStopped - stalled) after the stall")
    }

    /// Leadership lost while a key is being reconciled (its workers cancelled): the key is
    /// reconciled again when this process leads again, not dropped until its object changes.
    @Test func aKeyInFlightWhenLeadershipEndsIsWorkedOnInTheNextTerm() async throws {
        let plane = try await TestControlPlane.shared()
        let admin = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "term")
        let logger = Logger(label: "test.term")
        let informer = Informer(
            client: admin, ConfigMap.self, namespace: namespace, labelSelector: "sample", logger: logger)
        let reconciler = HangingOnceReconciler()
        let controller = Controller(
            name: "term", primary: informer, reconciler: reconciler, workers: 1, logger: logger)
        let informers = Task { await controller.runInformers() }
        defer { informers.cancel() }
        _ = try await admin.create(sampleMap(namespace, "only", "1"))

        let first = Task { await controller.runWorkers() }
        try await eventually("the first term's reconcile under way") { reconciler.calls.withLock { $0 } == 1 }
        first.cancel()
        await first.value
        let second = Task { await controller.runWorkers() }
        defer { second.cancel() }
        try await eventually("reconciled again in the next term") { reconciler.calls.withLock { $0 } == 2 }
    }
}

/// Hangs in its first reconcile until cancelled; counts every call.
final class HangingOnceReconciler: Reconciler {
    let calls = Mutex(0)

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let call = calls.withLock { count in
            count += 1
            return count
        }
        guard call == 1 else { return .done }
        let (idle, _) = AsyncStream<Void>.makeStream()
        for await _ in idle {}
        throw CancellationError()
    }
}

/// When each candidate started and stopped leading.
final class LeadingSpans: Sendable {
    private let spans = Mutex<[String: [ContinuousClock.Instant]]>([:])

    subscript(identity: String) -> [ContinuousClock.Instant] { spans.withLock { $0[identity] ?? [] } }

    /// Work that records its start, runs until cancelled, and records its end.
    func leading(_ identity: String) -> @Sendable () async -> Void {
        {
            self.spans.withLock { $0[identity, default: []].append(.now) }
            let (idle, _) = AsyncStream<Void>.makeStream()
            for await _ in idle {}
            self.spans.withLock { $0[identity, default: []].append(.now) }
        }
    }
}
