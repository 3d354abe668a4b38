import AirlockServer
import Foundation
import HummingbirdTesting
import KubeClient
import KubeCore
import KubeRuntime
import KubeTesting
import Logging
import Metrics
import Prometheus
import Synchronization
import Testing

/// Metrics are process-wide: bootstrapped once, on first use, for every test of the process.
let prometheusRegistry: PrometheusCollectorRegistry = {
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    return registry
}()

@Suite struct OperationsTests {
    @Test func metricsAndProbesAnswer() async throws {
        let registry = prometheusRegistry
        let plane = try await TestControlPlane.shared()
        let client = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "metrics")
        let (controller, _) = makeStampController(client: client, namespace: namespace, name: "metrics-stamper")
        let manager = ControllerManager(controllers: [controller], elector: nil, logger: Logger(label: "test"))
        let app = OperationsServer.application(
            host: "127.0.0.1", port: 0, registry: registry, isReady: { manager.isReady }, logger: Logger(label: "test"))

        try await app.test(.live) { server in
            try await server.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await server.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)  // caches not synced yet
            }
            let running = Task { await manager.run() }
            defer { running.cancel() }
            _ = try await client.create(sampleMap(namespace, "m", "1"))
            try await eventually("stamped") { try await stamp(client, namespace, "m") == "1" }
            try await server.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await server.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                for expected in [
                    #"airlock_reconcile_total{controller="metrics-stamper",result="success"}"#,
                    #"airlock_reconcile_time_seconds_bucket{controller="metrics-stamper""#,
                    #"airlock_workqueue_adds_total{name="metrics-stamper"}"#,
                    #"airlock_workqueue_depth{name="metrics-stamper"}"#,
                    #"airlock_workqueue_queue_duration_seconds_bucket{name="metrics-stamper""#,
                    #"airlock_rest_client_requests_total{method="PATCH",verb="patch",resource="configmaps",code="200"}"#,
                ] {
                    #expect(text.contains(expected), "missing \(expected)")
                }
            }
        }
    }
}

@Suite struct AdmissionMetricsTests {
    /// Each webhook counts its answers by result and times them. Counters are process-wide and
    /// other tests' webhooks add to them too: the test checks what its own calls added at least.
    @Test func theWebhookCountsAndTimesWhatItAnswers() async throws {
        let registry = prometheusRegistry  // bootstrapped before the fixture's webhook server starts
        try await WebhookFixture.with { fixture in
            let before = registry.emitToString()
            let alice = try fixture.client("alice")
            var created = try await alice.create(fixture.actionRequest(name: "metered"))
            created.metadata.labels = ["team": "a"]
            created = try await alice.update(created)  // metadata: allowed
            var changed = created
            changed.spec.reason = "something else"
            await #expect(throws: KubernetesError.self) { _ = try await alice.update(changed) }
            let after = registry.emitToString()

            func value(_ sample: String, in text: String) -> Double {
                text.split(separator: "\n").first { $0.hasPrefix(sample + " ") }
                    .flatMap { Double($0.dropFirst(sample.count + 1)) } ?? 0
            }
            for (sample, added) in [
                (#"airlock_admission_requests_total{webhook="mutating",result="allowed"}"#, 1.0),
                (#"airlock_admission_requests_total{webhook="validating",result="allowed"}"#, 1),
                (#"airlock_admission_requests_total{webhook="validating",result="denied"}"#, 1),
                (#"airlock_admission_duration_seconds_count{webhook="mutating"}"#, 1),
                (#"airlock_admission_duration_seconds_count{webhook="validating"}"#, 2),
            ] {
                #expect(value(sample, in: after) - value(sample, in: before) >= added, "\(sample)")
            }
            #expect(after.contains(#"airlock_admission_duration_seconds_bucket{webhook="validating",le="#))
        }
    }
}
