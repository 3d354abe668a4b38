import AirlockAPI
import KubeCore

/// What a request that needs human approval needs: the combination of every matching
/// RequireApproval policy (and the controller default, where it applies).
public struct ApprovalRequirements: Sendable, Hashable {
    /// Distinct counted approvals needed (the largest any source asks for, at least 1).
    public var requiredApprovals: Int
    /// Reviewer constraints that must *all* allow a reviewer: one per RequireApproval source
    /// that names reviewers. Empty: anyone a SubjectAccessReview allows to `approve`.
    public var reviewerSets: [ReviewerSet]
    /// The longest access any approval can grant (the shortest of the sources' maxima).
    public var maxDuration: KubeDuration
    /// How long the request may stay Pending (the shortest of the sources' timeouts).
    public var pendingTimeout: KubeDuration
    /// Where to ask for reviews.
    public var notify: NotificationPlan
    /// Names of the matching ApprovalPolicies, sorted (AutoApprove ones included).
    public var policies: [String]
    /// Whether the controller's default applies to some of the access (no policy matches it).
    public var appliesDefault: Bool

    public init(
        requiredApprovals: Int, reviewerSets: [ReviewerSet] = [], maxDuration: KubeDuration,
        pendingTimeout: KubeDuration, notify: NotificationPlan = NotificationPlan(), policies: [String] = [],
        appliesDefault: Bool = false
    ) {
        self.requiredApprovals = requiredApprovals
        self.reviewerSets = reviewerSets
        self.maxDuration = maxDuration
        self.pendingTimeout = pendingTimeout
        self.notify = notify
        self.policies = policies
        self.appliesDefault = appliesDefault
    }

    /// The requirements a stored decision recorded (`status.decision`), for judging reviews
    /// of a request that is no longer Pending; nil unless the decision required approval.
    public init?(decision: PolicyDecision) {
        guard decision.outcome == .requireApproval, let maxDuration = decision.maxDuration else { return nil }
        self.init(
            requiredApprovals: decision.requiredApprovals ?? 1, reviewerSets: decision.reviewers ?? [],
            maxDuration: maxDuration, pendingTimeout: decision.pendingTimeout ?? maxDuration,
            policies: decision.policies ?? [])
    }

    /// Whether every reviewer set allows `reviewer` (by username or a shared group). Only the
    /// policy constraint: the SubjectAccessReview and the self/grantee rules are separate.
    public func allows(_ reviewer: Identity) -> Bool {
        reviewerSets.allSatisfy { $0.allows(reviewer) }
    }
}
