import AirlockAPI
import AirlockController
import AirlockPolicy
import Foundation
import KubeCore
import Testing

private typealias F = LifecycleFixture

/// Granted and finished requests, and that every step is idempotent: one step each, no I/O.
@Suite struct LifecycleGrantedTests {
    /// A Granted request's observation: the reconciler evaluates nothing for it, only reviews.
    static func granted(now: Date = F.now, reviews: [ReviewObservation] = []) -> LifecycleObservation {
        LifecycleObservation(
            request: F.request(status: F.grantedStatus()), now: now, requester: .verified, reviews: reviews)
    }

    /// Chaos: an auto-approval first seen 3 s after its creation, its grant failing part-way.
    /// The failed pass recorded the decision as reached then; the next pass planned access from
    /// that, 2 s later than the first attempt had — the first attempt's objects then looked
    /// expired to the sweeper, which deleted them, and the grant made them again: a
    /// ServiceAccount made twice, access longer than approved.
    @Test func aGrantRetriedAfterAFailedFirstPassPlansTheFirstPassWindow() throws {
        var first = F.observation(policies: [F.autoApprove], grantFailure: .transient("the API server failed: 503"))
        first.now = F.created.addingTimeInterval(3)
        let failed = F.lifecycle.step(first)
        try #require(failed.status.conditions?[type: "Granted"]?.reason == "GrantRetrying")
        let firstWindow = F.accessStart().addingTimeInterval(1800)

        var retry = F.followUp(first, after: failed, now: F.created.addingTimeInterval(5))
        retry.grantFailure = nil
        let granted = F.lifecycle.step(retry)
        #expect(granted.status.phase == .granted)
        #expect(granted.grantPlan?.expiresAt == firstWindow)
        #expect(granted.status.grantedAt == F.accessStart())
        #expect(granted.status.decision?.at == F.created, "an auto-approval counts from the creation")
    }

    @Test func grantedBeforeExpiryWaitsForIt() {
        let step = F.lifecycle.step(Self.granted())
        #expect(step.status == F.grantedStatus())
        #expect(step.effects.isEmpty && step.announcements.isEmpty && step.reviewStatuses.isEmpty)
        #expect(step.wakeAt == F.revokeAt)
        #expect(step.wakePriority == .urgent)
    }

    /// Revocation starts `revocationLead` (0.1 s) before the expiry: the objects are gone by then.
    @Test func grantedJustBeforeTheLeadStillWaits() {
        let step = F.lifecycle.step(Self.granted(now: F.revokeAt.addingTimeInterval(-0.001)))
        #expect(step.status.phase == .granted && step.effects.isEmpty)
        #expect(step.wakeAt == F.expiresAt.addingTimeInterval(-0.1))
    }

    /// At expiry the bindings go first, on their own (they end the access); the step asks for
    /// a follow-up a second later and changes nothing else. The follow-up deletes the rest and
    /// expires.
    @Test(arguments: [-0.1, 0, 1, 86_400] as [TimeInterval])
    func grantedAtExpiryIsRevokedAndExpires(_ late: TimeInterval) throws {
        let bindings = F.grants.filter { $0.kind == "RoleBinding" }
        let rest = F.grants.filter { $0.kind != "RoleBinding" }
        try #require(!bindings.isEmpty && !rest.isEmpty)
        let first = F.lifecycle.step(Self.granted(now: F.expiresAt.addingTimeInterval(late)))
        #expect(first.effects == [.revoke(bindings)])
        #expect(first.followUp)
        #expect(first.status == F.grantedStatus(), "nothing is written before the rest is gone")
        #expect(first.announcements.isEmpty)
        #expect(first.wakeAt == F.expiresAt.addingTimeInterval(late + ActionRequestLifecycle.expiryFollowUp))
        #expect(first.wakePriority == .background, "the rest waits while other grants' access is being ended")

        var followUp = Self.granted(now: F.expiresAt.addingTimeInterval(late))
        followUp.expiry = .bindingsRevoked
        let step = F.lifecycle.step(followUp)
        #expect(!step.followUp)
        F.check(
            step,
            .init(
                phase: .expired,
                conditions: [
                    "Evaluated": "True RequireApproval", "Approved": "True Approved", "Granted": "False Expired",
                    "Expired": "True DurationElapsed", "Decided": "True Expired",
                ],
                effects: [.revoke(rest)], announcements: [F.key("expired")]))
        #expect(step.status.grants == [])
        #expect(step.status.grantedAt == F.grantedAt && step.status.expiresAt == F.expiresAt)
        #expect(step.status.reviews == F.grantedStatus().reviews)
        #expect(step.status.decision == F.grantedStatus().decision)
    }

    /// When deleting the bindings failed (a 403 while a restarted API server fills its RBAC
    /// cache), the next pass deletes every object at once: what can go goes.
    @Test func aFailedBindingDeleteAtExpiryRevokesEverythingAtOnce() {
        var observation = Self.granted(now: F.expiresAt)
        observation.expiry = .bindingsFailed
        let step = F.lifecycle.step(observation)
        #expect(step.effects == [.revoke(F.grants)])
        #expect(!step.followUp)
        #expect(step.status.phase == .expired && step.status.grants == [])
    }

    /// A counted Revoke: by an allowed reviewer, or by the requester (released).
    @Test(arguments: [("bob", "RevokedByReview"), ("alice", "Released")])
    func countedRevokeEndsTheGrant(_ reviewer: String, _ reason: String) {
        let identity = reviewer == "alice" ? F.alice : F.bob
        let revoke = F.review(
            "r-revoke", by: identity, .revoke, after: 400, approveAllowed: reviewer == "alice" ? nil : true)
        let step = F.lifecycle.step(Self.granted(reviews: [revoke]))
        F.check(
            step,
            .init(
                phase: .revoked,
                conditions: [
                    "Evaluated": "True RequireApproval", "Approved": "True Approved", "Granted": "False Revoked",
                    "Revoked": "True \(reason)", "Decided": "True Revoked",
                ],
                effects: [.revoke(F.grants)], announcements: [F.key("review/r-revoke"), F.key("revoked")]))
        #expect(step.status.grants == [])
        #expect(step.status.reviews?.last?.review == "r-revoke")
        #expect(step.status.reviews?.last?.decision == .revoke && step.status.reviews?.last?.counted == true)
        #expect(step.reviewStatuses == ["r-revoke": F.counted])
        #expect(step.announcements.first { $0.key == F.key("revoked") }?.audit?.actor == reviewer)
    }

    /// Reviews of a Granted request are judged by the decision stored when it was granted
    /// (reviewers from group `sre`), not by a new evaluation (which would allow only mallory).
    @Test func grantedJudgesReviewsByTheStoredDecision() throws {
        guard case .requireApproval(var current) = F.evaluate([F.twoSRE]) else {
            Issue.record("two-sre does not require approval")
            return
        }
        current.reviewerSets = [ReviewerSet(users: ["mallory"])]
        #expect(
            ActionRequestLifecycle.grantedRequirements(of: F.request(status: F.grantedStatus()))
                == ApprovalRequirements(decision: try #require(F.grantedStatus().decision)))

        var byMallory = Self.granted(reviews: [F.review("r-mallory", by: F.mallory, .revoke, after: 400)])
        byMallory.evaluation = .requireApproval(current)
        let kept = F.lifecycle.step(byMallory)
        #expect(kept.status.phase == .granted)
        #expect(kept.effects.isEmpty)
        #expect(kept.wakeAt == F.revokeAt)
        #expect(F.conditions(kept.status) == F.conditions(F.grantedStatus()))
        #expect(kept.status.rejectedReviews == 1)
        #expect(kept.reviewStatuses["r-mallory"]?.counted == false)
        #expect(kept.reviewStatuses["r-mallory"]?.reason?.hasPrefix("NotAllowedByPolicy") == true)
        #expect(kept.announcements.map(\.key) == [F.key("review/r-mallory")])

        var byDave = Self.granted(reviews: [F.review("r-dave", by: F.dave, .revoke, after: 400)])
        byDave.evaluation = .requireApproval(current)
        let revoked = F.lifecycle.step(byDave)
        #expect(revoked.status.phase == .revoked)
        #expect(revoked.status.conditions?[type: "Revoked"]?.reason == "RevokedByReview")
        #expect(revoked.effects == [.revoke(F.grants)])
    }

    @Test func denyOnAGrantedRequestIsRejectedNotPending() {
        let step = F.lifecycle.step(Self.granted(reviews: [F.review("r-dave", by: F.dave, .deny, after: 400)]))
        #expect(step.status.phase == .granted)
        #expect(step.effects.isEmpty)
        #expect(step.reviewStatuses["r-dave"]?.reason?.hasPrefix("NotPending") == true)
    }

    // MARK: Finished requests

    static let finished: [ActionRequestPhase] = [.denied, .expired, .revoked, .failed]

    @Test(arguments: finished)
    func finishedRequestRemovesLeftoverGrantsAndNothingElse(_ phase: ActionRequestPhase) {
        let status = F.finishedStatus(phase)
        let observation = LifecycleObservation(
            request: F.request(status: status), now: F.now, requester: .verified,
            reviews: [F.review("r-dave", by: F.dave, .revoke, after: 400)])
        let step = F.lifecycle.step(observation)
        var expected = status
        expected.grants = []
        #expect(step.status == expected)
        #expect(step.effects == [.revoke(F.grants)])
        #expect(step.announcements.isEmpty && step.reviewStatuses.isEmpty)
        #expect(step.wakeAt == nil)

        var without = observation
        without.request.status = expected
        let again = F.lifecycle.step(without)
        #expect(again == LifecycleStep(status: expected))
    }

    // MARK: Idempotence

    /// Every transition, as first observed.
    enum Scenario: String, CaseIterable, Sendable {
        case untrusted, deniedByPolicy, autoApproved, waiting, notReviewed, approved, deniedByReviewer, withdrawn
        case flooded, grantRetrying, grantFailed, grantedSteady, expired, revokedByReview, released, leftovers

        var observation: LifecycleObservation {
            let approvals = [F.review("r-bob", by: F.bob), F.review("r-carol", by: F.carol, after: 61)]
            switch self {
            case .untrusted: return F.observation(policies: [F.autoApprove], requester: .stale)
            case .deniedByPolicy: return F.observation(policies: [F.denyAll])
            case .autoApproved: return F.observation(policies: [F.autoApprove])
            case .waiting: return F.observation(policies: [F.twoSRE], requesterOwner: F.owner)
            case .notReviewed: return F.observation(policies: [F.twoSRE], now: F.deadline)
            case .approved: return F.observation(policies: [F.twoSRE], reviews: approvals)
            case .deniedByReviewer:
                return F.observation(policies: [F.twoSRE], reviews: [F.review("r-bob", by: F.bob, .deny)])
            case .withdrawn:
                return F.observation(
                    policies: [F.twoSRE], reviews: [F.review("r-alice", by: F.alice, .revoke, approveAllowed: nil)])
            case .flooded:
                let own = (0..<100).map { F.review("r-\($0)", by: F.alice, after: Double($0 + 1)) }
                let late = [F.review("r-bob", by: F.bob, after: 200), F.review("r-carol", by: F.carol, after: 201)]
                return F.observation(policies: [F.twoSRE], reviews: own + late)
            case .grantRetrying:
                return F.observation(policies: [F.autoApprove], grantFailure: .transient("the API server failed"))
            case .grantFailed:
                return F.observation(policies: [F.autoApprove], grantFailure: .terminal("the API server refused it"))
            case .grantedSteady: return LifecycleGrantedTests.granted()
            case .expired:
                // Its bindings went in the step before (`grantedAtExpiryIsRevokedAndExpires`).
                var observation = LifecycleGrantedTests.granted(now: F.expiresAt)
                observation.expiry = .bindingsRevoked
                return observation
            case .revokedByReview:
                return LifecycleGrantedTests.granted(reviews: [F.review("r-dave", by: F.dave, .revoke, after: 400)])
            case .released:
                return LifecycleGrantedTests.granted(
                    reviews: [F.review("r-alice", by: F.alice, .revoke, after: 400, approveAllowed: nil)])
            case .leftovers:
                return LifecycleObservation(
                    request: F.request(status: F.finishedStatus(.expired)), now: F.now, requester: .verified)
            }
        }

        /// The phase the first step reaches.
        var phase: ActionRequestPhase {
            switch self {
            case .untrusted, .deniedByPolicy, .deniedByReviewer: .denied
            case .autoApproved, .approved, .flooded, .grantedSteady: .granted
            case .waiting, .grantRetrying: .pending
            case .notReviewed, .expired, .leftovers: .expired
            case .withdrawn, .revokedByReview, .released: .revoked
            case .grantFailed: .failed
            }
        }
    }

    @Test(arguments: Scenario.allCases)
    func feedingTheWrittenStatusBackChangesNothing(_ scenario: Scenario) throws {
        let observation = scenario.observation
        let step = F.lifecycle.step(observation)
        try #require(step.status.phase == scenario.phase)
        let again = F.lifecycle.step(F.followUp(observation, after: step))
        #expect(again.effects.isEmpty)
        #expect(again.status == step.status)
        #expect(again.announcements.isEmpty)
        #expect(again.reviewStatuses.isEmpty)
        #expect(again.wakeAt == step.wakeAt)
    }
}

extension SecuritySweep {
    @Suite struct LifecycleRevocationTrustTests {
        typealias F = LifecycleFixture

        /// Issue 8, scenario 10, in the pure core: a ref someone added to `status.grants` (an
        /// unrelated RoleBinding) is not the request's own, and is not revoked.
        @Test func onlyRefsOfTheRequestsOwnPlanAreRevoked() {
            var status = F.grantedStatus()
            let precious = GrantRef(
                apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", namespace: "dev", name: "precious",
                uid: "u-precious")
            status.grants = F.grants + [precious]
            let request = F.request(status: status)
            var observation = LifecycleObservation(
                request: request, now: status.expiresAt ?? F.now, requester: .verified)
            let bindings = F.lifecycle.step(observation)
            #expect(bindings.effects == [.revoke(F.grants.filter { $0.kind == "RoleBinding" })])
            observation.expiry = .bindingsFailed
            let step = F.lifecycle.step(observation)
            #expect(step.effects == [.revoke(F.grants)])
            #expect(step.status.phase == .expired)
        }
    }
}
