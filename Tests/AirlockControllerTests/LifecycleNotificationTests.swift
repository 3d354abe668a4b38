import AirlockAPI
import AirlockController
import AirlockPolicy
import Foundation
import KubeCore
import Testing

private typealias F = LifecycleFixture

/// The lifecycle writes the status it builds from the cached request: what the notifier wrote
/// there (`status.notifications`) must come through every step unchanged, and a reviewer's
/// reason must reach the requester.
@Suite struct LifecycleNotificationTests {
    static let delivered = [
        NotificationState(
            channel: "slack", target: "C0APPROVALS", messageRef: "C0APPROVALS/1750000000.000100", delivered: true,
            attempts: 2, lastAttemptAt: F.created, card: "Pending/0/2", replies: ["Granted"]),
        NotificationState(
            channel: "webhook", target: "siem/url", delivered: false, attempts: 3, lastError: "HTTP 503",
            failures: 1, retryAt: F.now, events: ["evt_1"]),
    ]

    /// `status` with the notifier's entries.
    static func notified(_ status: ActionRequestStatus) -> ActionRequest {
        var status = status
        status.notifications = delivered
        return F.request(status: status)
    }

    /// The status a first pass under ``LifecycleFixture/twoSRE`` writes (Pending).
    static func pendingStatus() -> ActionRequestStatus {
        F.lifecycle.step(F.observation(policies: [F.twoSRE])).status
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var observation: @Sendable () -> LifecycleObservation
        var phase: ActionRequestPhase
    }

    static let cases: [Case] = [
        Case(
            testDescription: "Pending, evaluated again",
            observation: { F.observation(notified(pendingStatus()), policies: [F.twoSRE]) }, phase: .pending),
        Case(
            testDescription: "approved and granted",
            observation: {
                F.observation(
                    notified(pendingStatus()), policies: [F.twoSRE],
                    reviews: [F.review("r-bob", by: F.bob), F.review("r-carol", by: F.carol, after: 61)])
            }, phase: .granted),
        Case(
            testDescription: "denied by a reviewer",
            observation: {
                F.observation(
                    notified(pendingStatus()), policies: [F.twoSRE], reviews: [F.review("r-bob", by: F.bob, .deny)])
            }, phase: .denied),
        Case(
            testDescription: "not reviewed in time",
            observation: { F.observation(notified(pendingStatus()), policies: [F.twoSRE], now: F.deadline) },
            phase: .expired),
        Case(
            testDescription: "Granted, at expiry",
            observation: {
                var observation = F.observation(notified(F.grantedStatus()), policies: [F.twoSRE], now: F.expiresAt)
                observation.expiry = .bindingsRevoked
                return observation
            }, phase: .expired),
        Case(
            testDescription: "Granted, revoked",
            observation: {
                F.observation(
                    notified(F.grantedStatus()), policies: [F.twoSRE],
                    reviews: [F.review("r-dave", by: F.dave, .revoke, after: 400)])
            }, phase: .revoked),
        Case(
            testDescription: "finished",
            observation: { F.observation(notified(F.finishedStatus(.expired)), policies: [F.twoSRE]) },
            phase: .expired),
    ]

    @Test(arguments: cases)
    func everyStepKeepsWhatTheNotifierWrote(_ example: Case) {
        let observation = example.observation()
        let step = F.lifecycle.step(observation)
        #expect(step.status.phase == example.phase)
        #expect(step.status.notifications == Self.delivered)
    }

    @Test func theDecisionStoresWhereToNotify() {
        var policy = F.twoSRE
        policy.spec.notify = NotificationTargets(
            slackChannel: "C0APPROVALS", webhookSecret: SecretKeyRef(name: "siem", key: "url"))
        let step = F.lifecycle.step(F.observation(policies: [policy]))
        #expect(
            step.status.decision?.notify
                == NotificationRecipients(
                    slackChannels: ["C0APPROVALS"], webhookSecrets: [SecretKeyRef(name: "siem", key: "url")]))
        // Without targets, none are stored.
        #expect(F.lifecycle.step(F.observation(policies: [F.twoSRE])).status.decision?.notify == nil)
    }

    @Test func aDenialCarriesTheReviewersReason() {
        var review = F.review("r-bob", by: F.bob, .deny)
        review.candidate?.comment = "Use the runbook: restart it through the operator."
        let step = F.lifecycle.step(F.observation(policies: [F.twoSRE], reviews: [review]))
        #expect(step.status.phase == .denied)
        let message = "denied by bob: Use the runbook: restart it through the operator."
        #expect(step.status.conditions?[type: "Denied"]?.message == message)
        #expect(step.status.conditions?[type: "Decided"]?.message == message)
        #expect(step.status.reviews?.first?.comment == "Use the runbook: restart it through the operator.")

        review.candidate?.comment = String(repeating: "x", count: 2000)
        let long = F.lifecycle.step(F.observation(policies: [F.twoSRE], reviews: [review]))
        let quoted = long.status.conditions?[type: "Denied"]?.message ?? ""
        #expect(quoted.count == "denied by bob: ".count + 256)
        #expect(quoted.hasSuffix("x…"))
    }
}
