import AirlockAPI
import AirlockController
import AirlockIdentity
import AirlockPolicy
import Crypto
import Foundation
import KubeCore
import Testing

/// One ActionRequest instance, its policies and reviewers, at fixed dates: what the lifecycle
/// tests feed ``ActionRequestLifecycle``. No I/O, no clock.
enum LifecycleFixture {
    static let lifecycle = ActionRequestLifecycle()
    static let planner = GrantPlanner()
    static let evaluator = PolicyEvaluator(configuration: PolicyConfiguration(controllerNamespace: "airlock-system"))

    static let now = Date(timeIntervalSince1970: 1_750_000_000)
    /// The request was created ten minutes before `now`.
    static let created = now.addingTimeInterval(-600)
    static let uid = "uid-req-1"
    /// `spec.duration` of the request: 30m.
    static let requested = KubeDuration(seconds: 1800)

    /// The requester, and the person who owns it.
    static let alice = Identity(username: "alice", groups: ["dev"], signature: "sig")
    static let owner = "olivia"
    /// Reviewers in group `sre` (allowed by ``twoSRE``) and one outside it.
    static let bob = Identity(username: "bob", groups: ["sre"], signature: "sig")
    static let carol = Identity(username: "carol", groups: ["sre"], signature: "sig")
    static let dave = Identity(username: "dave", groups: ["sre"], signature: "sig")
    static let mallory = Identity(username: "mallory", groups: ["dev"], signature: "sig")

    static let readPods = PermissionRule(namespace: "dev", apiGroups: [""], resources: ["pods"], verbs: ["get"])
    /// The rules of the Role `reader` in `dev`.
    static let reader = RoleSnapshot(
        kind: .role, name: "reader", namespace: "dev",
        rules: [PolicyRule(apiGroups: [""], resources: ["configmaps"], verbs: ["get"])])

    // MARK: Policies

    static let autoApprove = ApprovalPolicy(
        metadata: ObjectMeta(name: "auto-dev"),
        spec: ApprovalPolicySpec(decision: .autoApprove, maxDuration: KubeDuration(seconds: 7200)))
    /// Two distinct approvals from group `sre`; at most 1h of access; 30m to be reviewed.
    static let twoSRE = ApprovalPolicy(
        metadata: ObjectMeta(name: "two-sre"),
        spec: ApprovalPolicySpec(
            decision: .requireApproval,
            approvals: ApprovalRequirement(required: 2, reviewers: ReviewerSet(groups: ["sre"])),
            maxDuration: KubeDuration(seconds: 3600), pendingTimeout: KubeDuration(seconds: 1800)))
    static let denyAll = ApprovalPolicy(
        metadata: ObjectMeta(name: "no-access"), spec: ApprovalPolicySpec(decision: .deny))
    /// When an unreviewed request under ``twoSRE`` expires.
    static let deadline = created.addingTimeInterval(1800)

    // MARK: Requests and observations

    static func request(
        roleRef: TargetRoleRef? = nil, permissions: [PermissionRule]? = [readPods], credential: CredentialMode? = nil,
        subject: RBACSubject? = nil, status: ActionRequestStatus? = nil
    ) -> ActionRequest {
        var metadata = ObjectMeta(name: "req-1", namespace: "team")
        metadata.uid = uid
        metadata.generation = 1
        metadata.creationTimestamp = created
        return ActionRequest(
            metadata: metadata,
            spec: ActionRequestSpec(
                reason: "debug", duration: requested, permissions: permissions, roleRef: roleRef,
                credential: credential, subject: subject, requester: alice),
            status: status)
    }

    /// What the real evaluator makes of `request` under `policies`.
    static func evaluate(
        _ policies: [ApprovalPolicy], request: ActionRequest = request(), role: RoleSnapshot? = nil
    )
        -> Evaluation
    {
        evaluator.evaluate(request: request, policies: policies, role: role ?? request.status?.roleSnapshot)
    }

    /// The reconciler's observation of `request`, evaluated under `policies`.
    static func observation(
        _ request: ActionRequest = request(), policies: [ApprovalPolicy], now: Date = now,
        requester: IdentityVerification = .verified, admissionUnverified: Bool = false, role: RoleResolution? = nil,
        requesterOwner: String? = nil, reviews: [ReviewObservation] = [], grantFailure: GrantError? = nil
    ) -> LifecycleObservation {
        var snapshot: RoleSnapshot?
        if case .resolved(let resolved) = role { snapshot = resolved }
        var observation = LifecycleObservation(
            request: request, now: now, requester: requester, admissionUnverified: admissionUnverified, role: role,
            evaluation: evaluate(policies, request: request, role: snapshot), requesterOwner: requesterOwner,
            reviews: reviews)
        observation.grantFailure = grantFailure
        return observation
    }

    /// A review of this request instance (unless `requestUID` says otherwise), not judged yet,
    /// created `after` seconds after the request, with a verified signature and an allowing
    /// SubjectAccessReview.
    static func review(
        _ name: String, by reviewer: Identity, _ decision: ReviewDecision = .approve, after: TimeInterval = 60,
        duration: KubeDuration? = nil, requestUID: String? = uid, signatureVerified: Bool = true,
        approveAllowed: Bool? = true
    ) -> ReviewObservation {
        ReviewObservation(
            name: name, requestUID: requestUID, copy: nil,
            candidate: ReviewCandidate(
                name: name, reviewer: reviewer, decision: decision, duration: duration,
                signatureVerified: signatureVerified, approveAllowed: approveAllowed,
                at: created.addingTimeInterval(after), requestUID: requestUID))
    }

    /// The next pass once `step` is written: its status cached, the verdict copies on the
    /// reviews, and no review with a verdict judged again.
    static func followUp(
        _ observation: LifecycleObservation, after step: LifecycleStep, now: Date? = nil
    )
        -> LifecycleObservation
    {
        var next = observation
        next.request.status = step.status
        next.now = now ?? observation.now
        let listed = Set((step.status.reviews ?? []).compactMap(\.review))
        next.reviews = observation.reviews.map { review in
            var review = review
            if let copy = step.reviewStatuses[review.name] { review.copy = copy }
            if listed.contains(review.name) || review.copy?.counted != nil { review.candidate = nil }
            return review
        }
        return next
    }

    // MARK: Cached statuses

    /// A decision as stored when it was reached at `at`.
    static func decision(_ evaluation: Evaluation, at: Date) -> PolicyDecision {
        var decision = evaluation.policyDecision
        decision.at = at
        return decision
    }

    static func condition(
        _ type: String, _ value: Bool, _ reason: String, _ message: String, at: Date
    )
        -> Condition
    {
        Condition(
            type: type, status: value ? "True" : "False", observedGeneration: 1, lastTransitionTime: at,
            reason: reason, message: message)
    }

    /// Where access approved `seconds` after the request's creation starts (passes here run
    /// long after): the approval's whole-second timestamp, plus the second it may lie within.
    static func accessStart(approvedAfter seconds: TimeInterval = 0) -> Date {
        created.addingTimeInterval(seconds + 1)
    }

    /// Granted five minutes ago for 20 minutes under ``twoSRE`` (approved by bob and carol).
    static let grantedAt = now.addingTimeInterval(-300)
    static let expiresAt = grantedAt.addingTimeInterval(1200)
    /// When a grant ending at ``expiresAt`` is revoked.
    static let revokeAt = revocation(of: expiresAt)

    /// When a grant ending at `end` is revoked.
    static func revocation(of end: Date) -> Date { ActionRequestLifecycle.revocationTime(of: end) }
    /// What the grant of ``request()`` made: its plan's objects, with the uids the API server gave.
    static let grants: [GrantRef] = {
        let plan = try! planner.plan(request: request(), duration: requested, now: now)
        return plan.objectRefs.enumerated().map { index, ref in
            var made = ref
            made.uid = "u-\(index + 1)"
            return made
        }
    }()

    static func grantedStatus() -> ActionRequestStatus {
        let evaluation = evaluate([twoSRE])
        let granted = "access granted for 20m until \(RFC3339.format(expiresAt, fractional: false))"
        let approvals = [bob, carol].enumerated().map { index, reviewer in
            ReviewRecord(
                review: "r-\(reviewer.username)", reviewer: reviewer.username, decision: .approve,
                at: created.addingTimeInterval(Double(60 + index)), channel: AirlockConstants.Channel.kubernetes,
                duration: index == 0 ? KubeDuration(seconds: 1200) : nil, counted: true)
        }
        return ActionRequestStatus(
            phase: .granted,
            conditions: [
                condition("Evaluated", true, "RequireApproval", evaluation.message, at: created),
                condition("Approved", true, "Approved", "approved by bob, carol", at: grantedAt),
                condition("Granted", true, "AccessGranted", granted, at: grantedAt),
                condition("Decided", true, "Granted", granted, at: grantedAt),
            ],
            decision: decision(evaluation, at: created), reviews: approvals, grantedAt: grantedAt,
            expiresAt: expiresAt, pendingDeadline: deadline, grants: grants, observedGeneration: 1)
    }

    /// ``grantedStatus()`` ended in `phase` (by a step that did not remove its grants).
    static func finishedStatus(_ phase: ActionRequestPhase) -> ActionRequestStatus {
        var status = grantedStatus()
        let ending: Condition
        switch phase {
        case .expired: ending = condition("Expired", true, "DurationElapsed", "access expired", at: now)
        case .revoked: ending = condition("Revoked", true, "RevokedByReview", "revoked by dave", at: now)
        case .denied: ending = condition("Denied", true, "DeniedByPolicy", "denied by policy no-access", at: now)
        case .failed, .granted, .pending: ending = condition("Granted", false, "GrantFailed", "refused", at: now)
        }
        var conditions = status.conditions ?? []
        conditions.set(ending)
        conditions.set(condition("Decided", true, phase.rawValue, ending.message, at: now))
        status.conditions = conditions
        status.phase = phase
        return status
    }

    // MARK: Reading a step

    /// `type: "True Reason"` for every condition of `status` (duplicates show up joined by `|`).
    static func conditions(_ status: ActionRequestStatus) -> [String: String] {
        Dictionary((status.conditions ?? []).map { ($0.type, "\($0.status) \($0.reason)") }) { "\($0) | \($1)" }
    }

    static func key(_ suffix: String) -> String { "\(uid)/\(suffix)" }

    /// The key of the `evaluated` announcement of `evaluation`: 12 hex digits of SHA-256 over
    /// outcome, policies, approvals, maximum and reason. These keys are persisted (the audit log
    /// deduplicates by them), so they must not change for the same decision.
    static func evaluatedKey(_ evaluation: Evaluation) -> String {
        let decision = evaluation.policyDecision
        let text = [
            decision.outcome.rawValue, (decision.policies ?? []).joined(separator: ","),
            "\(decision.requiredApprovals ?? 0)", decision.maxDuration?.description ?? "", decision.reason ?? "",
        ].joined(separator: "\u{1}")
        let digest = SHA256.hash(data: Data(text.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
        return key("evaluated/\(digest)")
    }

    /// What a step is expected to decide, besides the status fields each test checks itself.
    struct Expected {
        var phase: ActionRequestPhase
        /// `type: "True Reason"` of every condition.
        var conditions: [String: String]
        var effects: [LifecycleEffect] = []
        /// Full announcement keys, in any order.
        var announcements: [String]
        var wakeAt: Date?
    }

    static func check(
        _ step: LifecycleStep, _ expected: Expected, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(step.status.phase == expected.phase, sourceLocation: sourceLocation)
        #expect(conditions(step.status) == expected.conditions, sourceLocation: sourceLocation)
        #expect(step.effects == expected.effects, sourceLocation: sourceLocation)
        #expect(
            step.announcements.map(\.key).sorted() == expected.announcements.sorted(), sourceLocation: sourceLocation)
        #expect(step.wakeAt == expected.wakeAt, sourceLocation: sourceLocation)
        #expect(step.status.observedGeneration == 1, sourceLocation: sourceLocation)
    }

    /// The verdict copy of a counted review.
    static let counted = ActionReviewStatus(counted: true, reason: "Counted", observedGeneration: 1)
}
