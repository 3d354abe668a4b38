import KubeCore

/// What an ApprovalPolicy matches and decides.
public struct ApprovalPolicySpec: Codable, Sendable, Hashable {
    public var match: PolicyMatch
    public var decision: DecisionOutcome
    /// Who must approve, with ``DecisionOutcome/requireApproval``.
    public var approvals: ApprovalRequirement?
    /// The longest grant this policy allows.
    public var maxDuration: KubeDuration?
    /// How long a request may stay Pending before it expires unreviewed.
    public var pendingTimeout: KubeDuration?
    /// Where to ask for reviews.
    public var notify: NotificationTargets?
    /// Access that runs code or mints credentials as other identities, which this policy (with
    /// `decision: RequireApproval`) lets reviewers grant. Without it such access is denied.
    public var allowEscalation: [EscalationClass]?

    public init(
        match: PolicyMatch = PolicyMatch(), decision: DecisionOutcome, approvals: ApprovalRequirement? = nil,
        maxDuration: KubeDuration? = nil, pendingTimeout: KubeDuration? = nil, notify: NotificationTargets? = nil,
        allowEscalation: [EscalationClass]? = nil
    ) {
        self.match = match
        self.decision = decision
        self.approvals = approvals
        self.maxDuration = maxDuration
        self.pendingTimeout = pendingTimeout
        self.notify = notify
        self.allowEscalation = allowEscalation
    }
}
