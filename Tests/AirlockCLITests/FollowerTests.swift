import AirlockAPI
import Foundation
import KubeCore
import Testing

@testable import AirlockCLI

/// Requests in each state, as the controller writes them.
enum Requests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func request(
        _ phase: ActionRequestPhase?, conditions: [(String, String, String, String)] = [],
        decision: PolicyDecision? = nil, reviews: [ReviewRecord] = [], secret: String? = nil,
        credential: CredentialMode? = nil, name: String = "delete-db-0"
    ) -> ActionRequest {
        var request = ActionRequest(
            metadata: ObjectMeta(name: name, namespace: "agents"),
            spec: ActionRequestSpec(
                reason: "db-0 is wedged", duration: KubeDuration(seconds: 900),
                permissions: [
                    PermissionRule(
                        namespace: "prod", apiGroups: [""], resources: ["pods"], verbs: ["delete"],
                        resourceNames: ["db-0"])
                ], credential: credential, requester: Identity(username: "alice")))
        request.metadata.creationTimestamp = now.addingTimeInterval(-120)
        guard let phase else { return request }
        request.status = ActionRequestStatus(
            phase: phase,
            conditions: conditions.map {
                Condition(type: $0.0, status: $0.1, lastTransitionTime: now, reason: $0.2, message: $0.3)
            }, decision: decision, reviews: reviews.isEmpty ? nil : reviews,
            expiresAt: phase == .granted ? now.addingTimeInterval(600) : nil,
            pendingDeadline: phase == .pending ? now.addingTimeInterval(840) : nil, credentialSecretName: secret)
        return request
    }

    static let needsReview = PolicyDecision(
        policies: ["prod-deletes"], outcome: .requireApproval, requiredApprovals: 2, reason: "PolicyMatched",
        message: "requires 2 distinct approvals", reviewers: [ReviewerSet(groups: ["sre"])])

    static var pending: ActionRequest {
        request(
            .pending,
            conditions: [
                ("Approved", "False", "WaitingForApprovals", "1 of 2 approvals"), ("Decided", "False", "Pending", ""),
            ], decision: needsReview,
            reviews: [ReviewRecord(reviewer: "bob", decision: .approve, at: now, channel: "kubernetes", counted: true)])
    }

    static var granted: ActionRequest {
        request(
            .granted,
            conditions: [
                ("Granted", "True", "AccessGranted", "access granted for 15m"), ("Decided", "True", "Granted", "x"),
            ], secret: "airlock-delete-db-0-cred")
    }
}

@Suite struct FollowerTests {
    let now = Requests.now

    @Test func waitsWhilePendingWithALineThatSaysForWhom() {
        var follower = RequestFollower(name: "delete-db-0", namespace: "agents")
        #expect(
            follower.observe(Requests.request(nil), now: now)
                == .wait(line: "waiting for Airlock to evaluate it", changed: true))
        let expected = "Pending: 1 of 2 approvals (reviewers: group sre); review closes in 14m"
        #expect(follower.observe(Requests.pending, now: now) == .wait(line: expected, changed: true))
        #expect(follower.observe(Requests.pending, now: now) == .wait(line: expected, changed: false))
        #expect(follower.outcome == nil)
    }

    @Test func grantedFinishesWithExitZeroAndTheCredential() throws {
        var follower = RequestFollower(name: "delete-db-0", namespace: "agents", needsCredential: true)
        guard case .finish(let outcome) = follower.observe(Requests.granted, now: now) else {
            Issue.record("not finished")
            return
        }
        #expect(outcome.granted && outcome.exitCode == 0 && outcome.reason == "AccessGranted")
        #expect(outcome.credentialSecretName == "airlock-delete-db-0-cred")
        #expect(outcome.expiresAt == now.addingTimeInterval(600))
        // Once finished, later versions change nothing.
        #expect(follower.observe(Requests.pending, now: now) == .finish(outcome))
    }

    @Test func grantedWithoutItsSecretYetIsStillWaitedForWhenACredentialIsWanted() {
        var granted = Requests.granted
        granted.status?.credentialSecretName = nil
        var wanting = RequestFollower(name: "delete-db-0", namespace: "agents", needsCredential: true)
        guard case .wait = wanting.observe(granted, now: now) else {
            Issue.record("finished without the credential")
            return
        }
        var notWanting = RequestFollower(name: "delete-db-0", namespace: "agents")
        guard case .finish = notWanting.observe(granted, now: now) else {
            Issue.record("waited for a credential nobody asked for")
            return
        }
    }

    @Test(arguments: [
        (ActionRequestPhase.denied, "Denied", "DeniedByReviewer", AirlockExitCode.denied),
        (.expired, "Expired", "NotReviewed", .expired),
        (.revoked, "Revoked", "Withdrawn", .revoked),
        (.failed, "Granted", "GrantFailed", .failed),
        (.denied, "Denied", "Wildcard", .denied),
    ])
    func everyEndHasItsReasonAndCode(
        phase: ActionRequestPhase, condition: String, reason: String, code: AirlockExitCode
    ) {
        let request = Requests.request(
            phase,
            conditions: [
                (condition, phase == .failed ? "False" : "True", reason, "because \(reason)"),
                ("Decided", "True", phase.rawValue, "because \(reason)"),
            ])
        var follower = RequestFollower(name: "delete-db-0", namespace: "agents")
        guard case .finish(let outcome) = follower.observe(request, now: now) else {
            Issue.record("not finished")
            return
        }
        #expect(outcome.phase == phase.rawValue && outcome.reason == reason && outcome.exitCode == code.rawValue)
        #expect(outcome.message.contains("because \(reason)") && !outcome.granted)
    }

    @Test func aDenialCarriesTheReviewersComment() {
        let request = Requests.request(
            .denied, conditions: [("Denied", "True", "DeniedByReviewer", "denied by bob")],
            reviews: [
                ReviewRecord(
                    reviewer: "bob", decision: .deny, at: now, channel: "kubernetes", comment: "not during the freeze",
                    counted: true),
                ReviewRecord(
                    reviewer: "alice", decision: .deny, at: now, channel: "kubernetes", comment: "ignored",
                    counted: false),
            ])
        let outcome = RequestOutcome.of(request)
        #expect(outcome?.message == "denied by bob (bob: not during the freeze)")
        #expect(outcome?.reviews == ["bob Deny: not during the freeze"])
    }

    @Test func deletionAndTimeout() {
        var follower = RequestFollower(name: "delete-db-0", namespace: "agents")
        _ = follower.observe(Requests.pending, now: now)
        let timedOut = follower.timedOut(after: .seconds(90), now: now)
        #expect(timedOut.exitCode == AirlockExitCode.timedOut.rawValue && timedOut.reason == "TimedOut")
        #expect(timedOut.phase == "Pending" && !timedOut.granted)
        #expect(timedOut.message.hasPrefix("still undecided after 1m30s: Pending: 1 of 2 approvals"))
        guard case .finish(let deleted) = follower.deleted() else {
            Issue.record("not finished")
            return
        }
        #expect(deleted.reason == "Deleted" && deleted.exitCode == AirlockExitCode.failed.rawValue)
    }

    @Test func exitCodesAreDistinct() {
        let codes = AirlockExitCode.allCases.map(\.rawValue)
        #expect(Set(codes).count == codes.count)
        #expect(Set(AirlockExitCode.allCases.map(\.name)).count == codes.count)
        #expect(AirlockExitCode.forPhase("Granted") == .ok && AirlockExitCode.forPhase("Pending") == .timedOut)
    }

    @Test func durations() {
        #expect(Durations.short(seconds: 0) == "0s")
        #expect(Durations.short(seconds: 45) == "45s")
        #expect(Durations.short(seconds: 90) == "1m30s")
        #expect(Durations.short(seconds: 720) == "12m")
        #expect(Durations.short(seconds: 3900) == "1h5m")
        #expect(Durations.short(seconds: 90000) == "1d1h")
        #expect(Durations.short(seconds: 86400 * 5) == "5d")
    }
}
