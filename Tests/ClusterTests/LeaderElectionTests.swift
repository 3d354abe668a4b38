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
