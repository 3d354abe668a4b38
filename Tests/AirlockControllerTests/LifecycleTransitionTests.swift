import AirlockAPI
import AirlockController
import AirlockIdentity
import AirlockPolicy
import Foundation
import KubeClient
import KubeCore
import Testing

private typealias F = LifecycleFixture

/// The transitions of a new or Pending ActionRequest, one step each, with no I/O.
extension SecuritySweep {
    @Suite struct LifecycleTransitionTests {
        // MARK: Refused before anything is evaluated or granted

        static let unverified: [IdentityVerification] = [
            .missingIdentity, .missingSignature, .malformedSignature, .mismatch, .stale,
        ]

        @Test(arguments: unverified)
        func requesterSignatureNotVerifiedIsDeniedUntrusted(_ verification: IdentityVerification) {
            // Even a request an auto-approving policy would grant.
            let step = F.lifecycle.step(F.observation(policies: [F.autoApprove], requester: verification))
            F.check(
                step,
                .init(
                    phase: .denied, conditions: ["Denied": "True UntrustedIdentity", "Decided": "True Denied"],
                    announcements: [F.key("denied")]))
            #expect(step.status.conditions?[type: "Denied"]?.message == "not acted on: \(verification)")
            #expect(step.status.conditions?[type: "Denied"]?.lastTransitionTime == F.now)
            #expect(step.status.decision == nil)
            #expect(step.status.grants == nil && step.status.grantedAt == nil && step.status.expiresAt == nil)
            #expect(step.reviewStatuses.isEmpty)
            #expect(step.announcements.first?.event?.warning == true)
        }

        /// A request refused at once: by what the observation says, or by the evaluation.
        struct Refusal: Sendable, CustomTestStringConvertible {
            var testDescription: String
            var observation: LifecycleObservation
            var reason: String
            /// The evaluation recorded in `status.decision`, when the refusal comes from it.
            var evaluation: Evaluation?
        }

        static let refusals: [Refusal] = [
            Refusal(
                testDescription: "created while admission was unverified",
                observation: F.observation(policies: [F.autoApprove], admissionUnverified: true),
                reason: "AdmissionUnverified"),
            Refusal(
                testDescription: "roleRef unavailable",
                observation: F.observation(
                    F.request(roleRef: TargetRoleRef(kind: .role, name: "reader", namespace: "dev"), permissions: nil),
                    policies: [F.autoApprove], role: .unavailable("Role dev/reader not found")),
                reason: "InvalidRoleRef"),
            Refusal(
                testDescription: "roleRef not resolved",
                observation: F.observation(
                    F.request(roleRef: TargetRoleRef(kind: .role, name: "reader", namespace: "dev"), permissions: nil),
                    policies: [F.autoApprove]),
                reason: "InvalidRoleRef"),
            Refusal(
                testDescription: "spec.subject names someone else",
                observation: F.observation(
                    F.request(credential: .subject, subject: .user("bob")), policies: [F.autoApprove]),
                reason: "InvalidRequest"),
            Refusal(
                testDescription: "denied by policy",
                observation: F.observation(policies: [F.denyAll]), reason: "DeniedByPolicy",
                evaluation: F.evaluate([F.denyAll])),
        ]

        @Test(arguments: refusals)
        func refusedAtOnce(_ refusal: Refusal) {
            let step = F.lifecycle.step(refusal.observation)
            var conditions = ["Denied": "True \(refusal.reason)", "Decided": "True Denied"]
            var announcements = [F.key("denied")]
            if let evaluation = refusal.evaluation {
                conditions["Evaluated"] = "True \(refusal.reason)"
                announcements.append(F.evaluatedKey(evaluation))
                #expect(step.status.decision == F.decision(evaluation, at: F.now))
                #expect(step.status.decision?.outcome == .deny)
                #expect(step.status.conditions?[type: "Denied"]?.message == evaluation.message)
            } else {
                #expect(step.status.decision == nil)
            }
            F.check(step, .init(phase: .denied, conditions: conditions, announcements: announcements))
            #expect(step.status.roleSnapshot == nil)
            #expect(step.status.grants == nil && step.status.pendingDeadline == nil)
        }

        // MARK: Role snapshot

        @Test func resolvedRoleIsSnapshottedAndGrantedAsAirlocksOwnRole() throws {
            let ref = TargetRoleRef(kind: .role, name: "reader", namespace: "dev")
            let request = F.request(roleRef: ref, permissions: nil)
            let step = F.lifecycle.step(F.observation(request, policies: [F.autoApprove], role: .resolved(F.reader)))
            #expect(step.status.roleSnapshot == F.reader)
            let plan = try #require(step.grantPlan)
            #expect(
                step.effects == [
                    .grant(
                        try F.planner.plan(
                            request: request, duration: F.requested, now: F.accessStart(), role: F.reader))
                ])
            let role = try #require(plan.roles.first { $0.metadata.namespace == "dev" })
            #expect(role.rules == F.reader.rules)
            #expect(role.metadata.name != "reader")
            let binding = try #require(plan.roleBindings.first { $0.metadata.namespace == "dev" })
            #expect(binding.roleRef == RoleRef(kind: "Role", name: role.metadata.name ?? ""))
            #expect(binding.subjects == [plan.grantee])
            F.check(
                step,
                .init(
                    phase: .granted,
                    conditions: [
                        "Evaluated": "True AutoApprove", "Approved": "True AutoApproved",
                        "Granted": "True AccessGranted",
                        "Decided": "True Granted",
                    ],
                    effects: step.effects,
                    announcements: [
                        F.evaluatedKey(F.evaluate([F.autoApprove], request: request, role: F.reader)), F.key("granted"),
                    ],
                    wakeAt: F.revocation(of: F.accessStart().addingTimeInterval(1800))))
        }

        /// Chaos: a grant made, its record lost (a kill, a 403 after an API server restart),
        /// was made again later with a later expiry — access twice as long as approved. The
        /// window runs from the approval, so every attempt plans the same one.
        @Test func everyAttemptAtAGrantPlansTheSameWindowAndALapsedOneIsNotMade() throws {
            var first = F.observation(policies: [F.autoApprove])
            first.now = F.created.addingTimeInterval(0.2)
            let made = F.lifecycle.step(first)
            let expiresAt = try #require(made.grantPlan?.expiresAt)
            #expect(expiresAt == first.now.addingTimeInterval(1800))

            // The status write was lost: the next pass (a new leader) sees the request Pending.
            var again = first
            again.now = F.created.addingTimeInterval(40)
            let retried = F.lifecycle.step(again)
            #expect(try #require(retried.grantPlan?.expiresAt).timeIntervalSince(expiresAt) <= 1)
            #expect(retried.status.expiresAt == retried.grantPlan?.expiresAt)

            // After the window: not made again, and what an attempt left is removed.
            var late = first
            late.now = F.created.addingTimeInterval(1801)
            let lapsed = F.lifecycle.step(late)
            #expect(lapsed.status.phase == .expired)
            #expect(lapsed.status.conditions?[type: "Expired"]?.reason == "ApprovalLapsed")
            #expect(lapsed.effects == [.removeLeftovers])
            #expect(lapsed.status.grantedAt == nil)
        }

        /// Waiting for review for two hours, then approved by a changed policy: access runs its
        /// whole duration from now, not from the request's creation.
        @Test func aRequestAutoApprovedByAChangedPolicyGetsItsWholeDuration() throws {
            var status = ActionRequestStatus()
            status.phase = .pending
            status.decision = F.decision(F.evaluate([F.twoSRE]), at: F.created)
            var observation = F.observation(F.request(status: status), policies: [F.autoApprove])
            observation.now = F.created.addingTimeInterval(7200)
            let step = F.lifecycle.step(observation)
            #expect(step.status.phase == .granted)
            #expect(step.status.grantedAt == observation.now)
            #expect(step.status.expiresAt == observation.now.addingTimeInterval(1800))
            // The recorded auto-approval keeps its moment on later passes (a grant retried).
            var retried = F.followUp(observation, after: step, now: observation.now.addingTimeInterval(30))
            retried.request.status?.phase = .pending
            retried.request.status?.grantedAt = nil
            let again = try #require(F.lifecycle.step(retried).status.expiresAt)
            #expect(abs(again.timeIntervalSince(try #require(step.status.expiresAt))) <= 1, "within the second")
        }

        @Test func storedSnapshotWinsOverAWiderRoleResolvedLater() throws {
            let ref = TargetRoleRef(kind: .role, name: "reader", namespace: "dev")
            var status = ActionRequestStatus()
            status.roleSnapshot = F.reader
            let request = F.request(roleRef: ref, permissions: nil, status: status)
            var wider = F.reader
            wider.rules.append(PolicyRule(apiGroups: [""], resources: ["secrets"], verbs: ["get"]))
            let step = F.lifecycle.step(F.observation(request, policies: [F.autoApprove], role: .resolved(wider)))
            #expect(step.status.roleSnapshot == F.reader)
            let plan = try #require(step.grantPlan)
            #expect(plan.roles.first { $0.metadata.namespace == "dev" }?.rules == F.reader.rules)
        }

        // MARK: Auto-approval

        @Test func autoApprovedRequestIsGrantedAtOnce() throws {
            let request = F.request()
            let step = F.lifecycle.step(F.observation(policies: [F.autoApprove]))
            // Auto-approved when it was created: access runs 30 minutes from there.
            let plan = try F.planner.plan(request: request, duration: F.requested, now: F.accessStart())
            let expiresAt = F.accessStart().addingTimeInterval(1800)
            F.check(
                step,
                .init(
                    phase: .granted,
                    conditions: [
                        "Evaluated": "True AutoApprove", "Approved": "True AutoApproved",
                        "Granted": "True AccessGranted",
                        "Decided": "True Granted",
                    ],
                    effects: [.grant(plan)],
                    announcements: [F.evaluatedKey(F.evaluate([F.autoApprove])), F.key("granted")],
                    wakeAt: F.revocation(of: expiresAt)))
            #expect(plan.expiresAt == expiresAt)
            #expect(
                step.status.decision == F.decision(F.evaluate([F.autoApprove]), at: F.created),
                "as of its creation, as its access")
            #expect(step.status.grantedAt == F.accessStart())
            #expect(step.status.expiresAt == expiresAt)
            #expect(step.status.grants == plan.objectRefs)
            #expect(step.status.credentialSecretName == plan.credentialSecretName)
            #expect(step.status.pendingDeadline == nil)
            #expect(step.status.reviews == nil && step.status.rejectedReviews == nil)
            #expect(step.status.requesterOwner == nil && step.status.roleSnapshot == nil)
            #expect(step.reviewStatuses.isEmpty)
        }

        // MARK: Waiting for reviews

        @Test func requiringApprovalWaitsUntilTheDeadline() {
            let step = F.lifecycle.step(F.observation(policies: [F.twoSRE], requesterOwner: F.owner))
            F.check(
                step,
                .init(
                    phase: .pending,
                    conditions: [
                        "Evaluated": "True RequireApproval", "Approved": "False WaitingForApprovals",
                        "Decided": "False Pending",
                    ],
                    announcements: [F.evaluatedKey(F.evaluate([F.twoSRE]))], wakeAt: F.deadline))
            #expect(step.status.conditions?[type: "Approved"]?.message == "0 of 2 approvals")
            #expect(step.status.pendingDeadline == F.created.addingTimeInterval(1800))
            #expect(step.status.decision == F.decision(F.evaluate([F.twoSRE]), at: F.now))
            #expect(step.status.decision?.requiredApprovals == 2)
            #expect(step.status.decision?.reviewers == [ReviewerSet(groups: ["sre"])])
            #expect(step.status.requesterOwner == F.owner)
            #expect(step.status.grants == nil && step.status.grantedAt == nil && step.status.expiresAt == nil)
            #expect(step.status.reviews == nil && step.status.rejectedReviews == nil)
            #expect(step.announcements.first?.event?.reason == "ApprovalRequired")
        }

        @Test func aLaterPassKeepsTheDecisionTimeAndAnnouncesNothing() {
            let first = F.observation(policies: [F.twoSRE])
            let step = F.lifecycle.step(first)
            let later = F.lifecycle.step(F.followUp(first, after: step, now: F.now.addingTimeInterval(60)))
            #expect(later.status == step.status)
            #expect(later.status.decision?.at == F.now)
            #expect(later.effects.isEmpty && later.announcements.isEmpty && later.reviewStatuses.isEmpty)
            #expect(later.wakeAt == F.deadline)
        }

        @Test(arguments: [0, 1, 3600] as [TimeInterval])
        func unreviewedPastTheDeadlineExpires(_ late: TimeInterval) {
            let step = F.lifecycle.step(F.observation(policies: [F.twoSRE], now: F.deadline.addingTimeInterval(late)))
            F.check(
                step,
                .init(
                    phase: .expired,
                    conditions: [
                        "Evaluated": "True RequireApproval", "Expired": "True NotReviewed", "Decided": "True Expired",
                    ],
                    announcements: [F.evaluatedKey(F.evaluate([F.twoSRE])), F.key("expired")]))
            #expect(step.status.pendingDeadline == F.deadline)
            #expect(step.status.grants == nil && step.status.grantedAt == nil)
        }

        @Test func justBeforeTheDeadlineStillWaits() {
            let step = F.lifecycle.step(F.observation(policies: [F.twoSRE], now: F.deadline.addingTimeInterval(-1)))
            #expect(step.status.phase == .pending)
            #expect(step.wakeAt == F.deadline)
            #expect(step.effects.isEmpty)
        }

        // MARK: A grant attempt that failed

        @Test func transientGrantFailureKeepsThePendingRequestRetrying() {
            let step = F.lifecycle.step(
                F.observation(policies: [F.autoApprove], grantFailure: .transient("the API server failed: 503")))
            F.check(
                step,
                .init(
                    phase: .pending,
                    conditions: [
                        "Evaluated": "True AutoApprove", "Approved": "True AutoApproved",
                        "Granted": "False GrantRetrying",
                        "Decided": "False Pending",
                    ],
                    announcements: [F.evaluatedKey(F.evaluate([F.autoApprove]))]))
            #expect(step.status.conditions?[type: "Granted"]?.message.hasSuffix("the API server failed: 503") == true)
            #expect(step.status.grants == nil && step.status.grantedAt == nil && step.status.expiresAt == nil)
        }

        @Test func terminalGrantFailureFailsAndRemovesLeftovers() {
            let step = F.lifecycle.step(
                F.observation(
                    policies: [F.autoApprove], grantFailure: .terminal("the API server refused it: forbidden")))
            F.check(
                step,
                .init(
                    phase: .failed,
                    conditions: [
                        "Evaluated": "True AutoApprove", "Approved": "True AutoApproved",
                        "Granted": "False GrantFailed",
                        "Decided": "True Failed",
                    ],
                    effects: [.removeLeftovers],
                    announcements: [F.evaluatedKey(F.evaluate([F.autoApprove])), F.key("failed")]))
            #expect(step.status.conditions?[type: "Granted"]?.message == "the API server refused it: forbidden")
            #expect(step.status.grants == [] && step.status.grantedAt == nil && step.status.expiresAt == nil)
            #expect(step.announcements.first { $0.key == F.key("failed") }?.event?.warning == true)
        }

        /// Chaos: right after the API server restarts, its RBAC authorizer forbids the controller
        /// everything for a few seconds. A 403 is retried for a minute, then it fails the request.
        @Test func forbiddenGrantIsRetriedForAMinuteThenFails() {
            let forbidden = GrantError.forbidden("the API server refused it: forbidden: User \"controller\" cannot")
            let first = F.observation(policies: [F.autoApprove], grantFailure: forbidden)
            let retrying = F.lifecycle.step(first)
            #expect(retrying.status.phase == .pending)
            #expect(retrying.status.conditions?[type: "Granted"]?.reason == "GrantRetrying")
            #expect(retrying.effects.isEmpty)

            let later = F.lifecycle.step(F.followUp(first, after: retrying, now: F.now.addingTimeInterval(59)))
            #expect(later.status.phase == .pending, "still within the minute")
            #expect(later.status.conditions?[type: "Granted"]?.lastTransitionTime == F.now)

            let expired = F.lifecycle.step(F.followUp(first, after: later, now: F.now.addingTimeInterval(60)))
            #expect(expired.status.phase == .failed)
            #expect(expired.status.conditions?[type: "Granted"]?.reason == "GrantFailed")
            #expect(expired.effects == [.removeLeftovers])
        }

        @Test func anEscalationRefusalFailsAtOnce() {
            let refusal = KubernetesError(
                kind: .api, code: 403, reason: "Forbidden",
                message: "rolebindings.rbac.authorization.k8s.io \"x\" is forbidden: user \"controller\" "
                    + "is attempting to grant RBAC permissions not currently held")
            let failure = GrantError(refusal, while: "creating RoleBinding dev/x")
            #expect(!failure.isTransient && !failure.mayPass)
            let step = F.lifecycle.step(F.observation(policies: [F.autoApprove], grantFailure: failure))
            #expect(step.status.phase == .failed)
            let other = GrantError(
                KubernetesError(
                    kind: .api, code: 403, reason: "Forbidden", message: "roles is forbidden: cannot create"),
                while: "creating Role dev/x")
            #expect(other.mayPass)
        }

        // MARK: Endings of a request that may hold part of a grant

        /// How a request whose grant attempt failed part-way (`Granted=False`, `GrantRetrying`, after
        /// two approvals) ends on the next pass.
        enum PartialGrantEnding: String, CaseIterable, Sendable {
            case untrustedIdentity, admissionUnverified, deniedByPolicy, deniedByReviewer, withdrawn, notReviewed

            var phase: ActionRequestPhase {
                switch self {
                case .untrustedIdentity, .admissionUnverified, .deniedByPolicy, .deniedByReviewer: .denied
                case .withdrawn: .revoked
                case .notReviewed: .expired
                }
            }

            /// The ending condition as `type: "True Reason"`.
            var ending: (String, String) {
                switch self {
                case .untrustedIdentity: ("Denied", "True UntrustedIdentity")
                case .admissionUnverified: ("Denied", "True AdmissionUnverified")
                case .deniedByPolicy: ("Denied", "True DeniedByPolicy")
                case .deniedByReviewer: ("Denied", "True DeniedByReviewer")
                case .withdrawn: ("Revoked", "True Withdrawn")
                case .notReviewed: ("Expired", "True NotReviewed")
                }
            }

            func observation(after retrying: LifecycleObservation, _ step: LifecycleStep) -> LifecycleObservation {
                var next = F.followUp(retrying, after: step)
                next.grantFailure = nil
                switch self {
                case .untrustedIdentity: next.requester = .mismatch
                case .admissionUnverified: next.admissionUnverified = true
                case .deniedByPolicy: next.evaluation = F.evaluate([F.denyAll])
                case .deniedByReviewer: next.reviews.append(F.review("r-dave", by: F.dave, .deny, after: 120))
                case .withdrawn:
                    next.reviews.append(F.review("r-alice", by: F.alice, .revoke, after: 120, approveAllowed: nil))
                case .notReviewed:
                    // A tightened policy asks for a third approval, which never came.
                    guard case .requireApproval(var requirements) = F.evaluate([F.twoSRE]) else { return next }
                    requirements.requiredApprovals = 3
                    next.evaluation = .requireApproval(requirements)
                    next.now = F.deadline
                }
                return next
            }
        }

        @Test(arguments: PartialGrantEnding.allCases)
        func endingARequestThatMayHoldPartOfAGrantRemovesLeftovers(_ ending: PartialGrantEnding) throws {
            let retrying = F.observation(
                policies: [F.twoSRE],
                reviews: [F.review("r-bob", by: F.bob), F.review("r-carol", by: F.carol, after: 61)],
                grantFailure: .transient("the API server failed: 503"))
            let first = F.lifecycle.step(retrying)
            try #require(first.status.conditions?[type: "Granted"]?.reason == "GrantRetrying")
            try #require(first.status.phase == .pending && first.effects.isEmpty)

            let step = F.lifecycle.step(ending.observation(after: retrying, first))
            #expect(step.status.phase == ending.phase)
            #expect(F.conditions(step.status)[ending.ending.0] == ending.ending.1)
            #expect(F.conditions(step.status)["Decided"] == "True \(ending.phase.rawValue)")
            #expect(step.effects == [.removeLeftovers])
            #expect(step.wakeAt == nil)
            #expect(step.announcements.map(\.key).contains(F.key(ending.phase.rawValue.lowercased())))
        }
    }
}
