import AirlockAPI
import Foundation
import KubeCore
import KubeRuntime
import Logging
import Metrics

/// Watches Airlock's webhook configurations and keeps ``AdmissionIntegrity`` current: while one
/// is missing or altered, requests and reviews created in that window are not acted on. It
/// says so once per change: a log line, an Event on the configuration, and the gauge
/// `airlock_admission_webhooks_intact`.
///
/// Its informers are secondaries of the ActionRequest controller (whose workers therefore wait
/// for them to sync); a change re-queues the Pending requests created in the new window.
final class WebhookIntegrityWatch: ManagedController {
    let name = "webhook-integrity"
    private let expected: ExpectedWebhooks
    private let integrity: AdmissionIntegrity
    private let mutating: Store<MutatingWebhookConfiguration>
    private let validating: Store<ValidatingWebhookConfiguration>
    private let requests: Store<ActionRequest>
    private let clock: AnyWallClock
    private let events: EventRecorder?
    private let logger: Logger
    private let gauge = Gauge(label: "airlock_admission_webhooks_intact")
    /// Finished by `stopIntake`: the workers return.
    private let stop = AsyncStream.makeStream(of: Void.self)

    init(
        expected: ExpectedWebhooks, integrity: AdmissionIntegrity, mutating: Store<MutatingWebhookConfiguration>,
        validating: Store<ValidatingWebhookConfiguration>, requests: Store<ActionRequest>, clock: AnyWallClock,
        events: EventRecorder?, logger: Logger
    ) {
        self.expected = expected
        self.integrity = integrity
        self.mutating = mutating
        self.validating = validating
        self.requests = requests
        self.clock = clock
        self.events = events
        self.logger = logger
    }

    var hasSynced: Bool { mutating.hasSynced && validating.hasSynced }
    func runInformers() async {}
    func stopIntake() async { stop.continuation.finish() }

    /// Checks once the caches have synced, then waits for `stopIntake` or cancellation
    /// (later changes are checked by the informers' handlers).
    func runWorkers() async {
        do {
            try await mutating.waitUntilSynced()
            try await validating.waitUntilSynced()
        } catch {
            return
        }
        _ = check()
        for await _ in stop.stream {}
    }

    /// Compares what is cached with what is expected, records the result, and returns the
    /// Pending requests created in a window that just opened.
    func check() -> [ObjectKey] {
        // Half a cache is no evidence: judge once both have synced (runWorkers checks then).
        guard hasSynced else { return [] }
        let name = expected.mutating.metadata.name ?? ""
        let problems = expected.problems(
            mutating: mutating.get(name: name, namespace: nil),
            validating: validating.get(name: expected.validating.metadata.name ?? "", namespace: nil))
        let intact = problems.isEmpty
        let wasIntact = integrity.isIntact
        integrity.observe(problems: problems, at: clock.date)
        gauge.record(intact ? 1 : 0)
        guard intact != wasIntact else { return [] }
        if intact {
            logger.notice("admission webhooks are whole again; requests created from now on are acted on")
        } else {
            let message = problems.joined(separator: "; ")
            logger.error(
                "admission webhooks missing or altered: \(message); requests and reviews created now are refused")
            // About the configuration at fault (the expected one, when it is gone).
            let validatingName = expected.validating.metadata.name ?? ""
            if let configuration = mutating.get(name: name, namespace: nil),
                !problems.allSatisfy({ $0.hasPrefix("Validating") })
            {
                events?.record(
                    configuration, type: .warning, reason: "AdmissionWebhooksAltered", action: "Verify", note: message)
            } else if let configuration = validating.get(name: validatingName, namespace: nil) {
                events?.record(
                    configuration, type: .warning, reason: "AdmissionWebhooksAltered", action: "Verify", note: message)
            } else {
                events?.record(
                    expected.mutating, type: .warning, reason: "AdmissionWebhooksAltered", action: "Verify",
                    note: message)
            }
        }
        return requests.list().filter {
            ($0.status?.phase ?? .pending) == .pending
                && integrity.isUnverified(createdAt: $0.metadata.creationTimestamp)
        }.map(\.key)
    }
}
