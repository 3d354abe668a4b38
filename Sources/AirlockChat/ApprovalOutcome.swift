import AirlockAPI
import Foundation

/// Where a request stands, in the words a decided card or a thread reply uses: the outcome
/// and who brought it about.
public enum ApprovalOutcome: Sendable, Hashable {
    /// Waiting for reviews: `approvers` so far, `required` in all.
    case pending(approvers: [String], required: Int)
    /// Access is in force until `until`; `approvers` empty when a policy auto-approved.
    case granted(approvers: [String], until: Date?)
    /// Denied by `reviewer` with `reason`, or by policy/guardrail (`reviewer` nil, `reason`
    /// the decision's message).
    case denied(reviewer: String?, reason: String?)
    /// Ended at `at`: the grant ran out (`wasGranted`), or nobody reviewed in time.
    case expired(wasGranted: Bool, at: Date?)
    /// Ended early by `reviewer` (the requester releasing it when `byRequester`).
    case revoked(reviewer: String?, byRequester: Bool, comment: String?)
    /// Granting failed in a way retrying will not fix.
    case failed(message: String?)
}

extension ApprovalSummary {
    /// The outcome as of this summary.
    public var outcome: ApprovalOutcome {
        switch phase {
        case .pending:
            return .pending(approvers: countedApprovers, required: requiredApprovals)
        case .granted:
            return .granted(approvers: countedApprovers, until: expiresAt)
        case .denied:
            if let review = lastCounted(.deny) { return .denied(reviewer: review.reviewer, reason: review.comment) }
            return .denied(reviewer: nil, reason: decision?.message)
        case .expired:
            return .expired(wasGranted: grantedAt != nil, at: grantedAt != nil ? expiresAt : pendingDeadline)
        case .revoked:
            let review = lastCounted(.revoke)
            return .revoked(
                reviewer: review?.reviewer, byRequester: review != nil && review?.reviewer == requester,
                comment: review?.comment)
        case .failed:
            return .failed(message: statusMessage ?? decision?.message)
        }
    }

    private func lastCounted(_ decision: ReviewDecision) -> ReviewSummary? {
        reviews.last { $0.counted && $0.decision == decision }
    }
}
