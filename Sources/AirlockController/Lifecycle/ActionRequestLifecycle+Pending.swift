import AirlockAPI
import AirlockPolicy
import Foundation
import KubeCore

extension Draft {
    /// A new or Pending request: verify, snapshot the role, evaluate, judge reviews, decide.
    mutating func pending() {
        let leftovers = mayHoldPartialGrant
        guard observation.requester.isVerified else {
            conclude(
                .denied, reason: "UntrustedIdentity", message: "not acted on: \(observation.requester)",
                removeLeftovers: leftovers)
            return
        }
        if observation.admissionUnverified {
            conclude(
                .denied, reason: "AdmissionUnverified",
                message: "created while Airlock's admission webhooks were missing or altered; create it again",
                removeLeftovers: leftovers)
            return
        }
        var role = status.roleSnapshot
        if let ref = request.spec.roleRef, role == nil {
            switch observation.role {
            case .resolved(let snapshot):
                status.roleSnapshot = snapshot
                role = snapshot
            case .unavailable(let message):
                conclude(
                    .denied, reason: DenyReason.invalidRoleRef.rawValue, message: message, removeLeftovers: leftovers)
                return
            case nil:
                conclude(
                    .denied, reason: DenyReason.invalidRoleRef.rawValue,
                    message: "roleRef (\(ref.kind.rawValue) \(ref.name)) could not be resolved",
                    removeLeftovers: leftovers)
                return
            }
        }
        // A request that could never be granted (spec.subject naming someone else) is refused
        // now, not after reviewers spent time on it.
        do {
            _ = try planner.plan(request: request, duration: request.spec.duration, now: now, role: role)
        } catch {
            let message = (error as? GrantPlanError)?.message ?? "\(error)"
            conclude(.denied, reason: "InvalidRequest", message: message, removeLeftovers: leftovers)
            return
        }
        guard let evaluation = observation.evaluation else { return }
        record(evaluation)
        switch evaluation {
        case .deny(let reason, let message, _):
            conclude(.denied, reason: reason.rawValue, message: message, removeLeftovers: leftovers)
        case .autoApprove:
            condition(
                AirlockConstants.ConditionType.approved, true, reason: "AutoApproved", message: evaluation.message)
            grant(for: request.spec.duration, role: role, approvedAt: autoApprovedAt)
        case .requireApproval(let requirements):
            review(under: requirements, role: role)
        }
    }

    /// When the request was auto-approved: on its first pass, when it was created (every
    /// attempt at that pass agrees); after a decision was recorded, when the decision now in
    /// the status was first reached (now, if a changed policy just approved it).
    private var autoApprovedAt: Date {
        guard request.status?.decision != nil else { return request.metadata.creationTimestamp ?? now }
        return status.decision?.at ?? now
    }

    /// `status.decision` and the `Evaluated` condition; a decision keeps the time it was first
    /// reached while it stays the same. An auto-approval reached on the first pass counts from
    /// the request's creation, as its access does (``autoApprovedAt``): a pass after one whose
    /// grant failed then plans the same window, not one that starts as late as the first pass
    /// ran — a window whose objects the sweeper took for another attempt's, and deleted.
    private mutating func record(_ evaluation: Evaluation) {
        var decision = evaluation.policyDecision
        decision.at = now
        if request.status?.decision == nil, case .autoApprove = evaluation {
            decision.at = request.metadata.creationTimestamp ?? now
        }
        if var previous = status.decision {
            previous.at = nil
            var current = decision
            current.at = nil
            if previous == current { decision.at = status.decision?.at ?? now }
        }
        status.decision = decision
        condition(
            AirlockConstants.ConditionType.evaluated, true,
            reason: evaluation.denyReason?.rawValue ?? evaluation.outcome.rawValue, message: evaluation.message)
    }

    private mutating func review(under requirements: ApprovalRequirements, role: RoleSnapshot?) {
        status.phase = .pending
        if status.requesterOwner == nil, let owner = observation.requesterOwner, !owner.isEmpty {
            status.requesterOwner = owner
        }
        let created = request.metadata.creationTimestamp ?? now
        let deadline = created.addingTimeInterval(Double(requirements.pendingTimeout.seconds))
        status.pendingDeadline = deadline
        var current = request
        current.status = status
        let tally = ActionRequestLifecycle.tally(for: current, requirements: requirements, phase: .pending)
        let result = judge(tally)
        switch result.outcome {
        case .approved(let duration):
            let approvals = ReviewTally.latestVotes(result.records).filter { $0.decision == .approve }
            condition(
                AirlockConstants.ConditionType.approved, true, reason: "Approved",
                message: "approved by \(approvals.map(\.reviewer).joined(separator: ", "))")
            // Approved when the last approval the policy asks for was given (later ones do not
            // move it); records are in order of time.
            let quorum = approvals.prefix(max(1, requirements.requiredApprovals)).last
            grant(for: duration, role: role, approvedAt: quorum?.at ?? now)
        case .denied(let reviewer):
            // The reviewer's reason reaches the requester: in the condition, kubectl and the CLI.
            let reason = result.records.last { $0.counted && $0.decision == .deny && $0.reviewer == reviewer }?
                .comment.map { ": " + Self.clipped($0, to: Self.maxReasonInMessage) }
            let message = "denied by \(reviewer)" + (reason ?? "")
            condition(
                AirlockConstants.ConditionType.approved, false, reason: "DeniedByReviewer", message: message)
            conclude(.denied, reason: "DeniedByReviewer", message: message, removeLeftovers: mayHoldPartialGrant)
        case .revoked(let by):
            conclude(
                .revoked, reason: "Withdrawn", message: "withdrawn by \(by) before it was granted",
                removeLeftovers: mayHoldPartialGrant)
        case .pending(let approvals, let required):
            if now >= deadline {
                conclude(
                    .expired, reason: "NotReviewed",
                    message: "no decision before the pending deadline \(RFC3339.format(deadline, fractional: false))",
                    removeLeftovers: mayHoldPartialGrant)
            } else {
                condition(
                    AirlockConstants.ConditionType.approved, false, reason: "WaitingForApprovals",
                    message: "\(approvals) of \(required) approvals")
                wakeAt = deadline
            }
        case .unchanged:
            break
        }
    }

    /// How much of a reviewer's reason a Denied message quotes (the review keeps it whole).
    static let maxReasonInMessage = 256

    /// `text` cut to `limit` characters, marked with an ellipsis when cut.
    static func clipped(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// How long a 403 that may pass (``GrantError/mayPass``) is retried before the request
    /// fails: an API server that just restarted forbids everything for a few seconds.
    static let forbiddenGrace: TimeInterval = 60

    /// Since when the grant has been retried: the `GrantRetrying` condition's transition, or now.
    private var retryingSince: Date {
        guard mayHoldPartialGrant,
            let since = request.status?.conditions?[type: AirlockConstants.ConditionType.granted]?.lastTransitionTime
        else { return now }
        return since
    }

    /// When access approved at `approvedAt` starts: the approval's creation timestamp is whole
    /// seconds, so the true moment lies within the second after it — or now, if earlier.
    ///
    /// Every attempt at a grant computes the same window (within that second), so a grant made
    /// but not recorded (a crash, a lost status write) is not extended by the attempt that
    /// records it, and once its end has passed it is not made again (chaos test, issue 14).
    static func accessStart(approvedAt: Date, now: Date) -> Date {
        min(approvedAt.addingTimeInterval(1), now)
    }

    /// Grants for `duration` from the approval — or, when the attempt already failed, keeps
    /// retrying (transient, or a 403 within ``forbiddenGrace``) or fails the request (terminal).
    /// A window that passed before the grant could be made ends the request Expired.
    private mutating func grant(for duration: KubeDuration, role: RoleSnapshot?, approvedAt: Date) {
        let start = Self.accessStart(approvedAt: approvedAt, now: now)
        let end = start.addingTimeInterval(Double(duration.seconds))
        if now >= end {
            conclude(
                .expired, reason: "ApprovalLapsed",
                message: "approved for \(duration) from \(RFC3339.format(start, fractional: false)); that time "
                    + "passed before access could be granted",
                removeLeftovers: true)
            return
        }
        if let failure = observation.grantFailure {
            if failure.isTransient || (failure.mayPass && now < retryingSince.addingTimeInterval(Self.forbiddenGrace)) {
                status.phase = .pending
                condition(
                    AirlockConstants.ConditionType.granted, false, reason: Reasons.grantRetrying,
                    message: "granting failed and is retried: \(failure.message)")
            } else {
                status.grants = []
                conclude(.failed, reason: "GrantFailed", message: failure.message, removeLeftovers: true)
            }
            return
        }
        let plan: GrantPlan
        do {
            plan = try planner.plan(request: request, duration: duration, now: start, role: role)
        } catch {
            conclude(.failed, reason: "GrantFailed", message: "\(error)", removeLeftovers: true)
            return
        }
        status.phase = .granted
        status.grantedAt = start
        status.expiresAt = plan.expiresAt
        status.grants = plan.objectRefs
        status.credentialSecretName = plan.credentialSecretName
        condition(
            AirlockConstants.ConditionType.granted, true, reason: "AccessGranted",
            message: "access granted for \(duration) until \(RFC3339.format(plan.expiresAt, fractional: false))")
        effects.append(.grant(plan))
        wakeAt = ActionRequestLifecycle.revocationTime(of: plan.expiresAt)
    }
}
