import Foundation
import KubeCore

/// The combined verdict of the matching ApprovalPolicies and the built-in guardrails
/// (`ActionRequest.status.decision`).
public struct PolicyDecision: Codable, Sendable, Hashable {
    /// Names of the ApprovalPolicies that matched (empty: the controller's default applied).
    public var policies: [String]?
    public var outcome: DecisionOutcome
    /// Distinct approvals needed (with ``DecisionOutcome/requireApproval``).
    public var requiredApprovals: Int?
    /// The longest duration policy allows; a request asking for longer is denied.
    public var maxDuration: KubeDuration?
    /// Who may review (with ``DecisionOutcome/requireApproval``): a reviewer must be allowed by
    /// every set. Kept so that reviews of a Granted request are judged by the decision that
    /// granted it, not by policies edited since.
    public var reviewers: [ReviewerSet]?
    /// How long the request may stay Pending (with ``DecisionOutcome/requireApproval``).
    public var pendingTimeout: KubeDuration?
    /// When this decision was reached (a tightened policy makes a new one).
    public var at: Date?
    /// With ``DecisionOutcome/requireApproval``: where the request is announced for review.
    public var notify: NotificationRecipients?
    /// Machine-readable CamelCase reason (`PolicyMatched`, `NoPolicyMatched`, a deny code such as `Wildcard`).
    public var reason: String?
    /// Human-readable explanation.
    public var message: String?

    public init(
        policies: [String]? = nil, outcome: DecisionOutcome, requiredApprovals: Int? = nil,
        maxDuration: KubeDuration? = nil, reason: String? = nil, message: String? = nil,
        reviewers: [ReviewerSet]? = nil, pendingTimeout: KubeDuration? = nil, at: Date? = nil,
        notify: NotificationRecipients? = nil
    ) {
        self.policies = policies
        self.outcome = outcome
        self.requiredApprovals = requiredApprovals
        self.maxDuration = maxDuration
        self.reason = reason
        self.message = message
        self.reviewers = reviewers
        self.pendingTimeout = pendingTimeout
        self.at = at
        self.notify = notify
    }
}
