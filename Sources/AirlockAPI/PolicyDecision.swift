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
    /// Machine-readable CamelCase reason (`PolicyMatched`, `GuardrailWildcardVerb`, ...).
    public var reason: String?
    /// Human-readable explanation.
    public var message: String?

    public init(
        policies: [String]? = nil, outcome: DecisionOutcome, requiredApprovals: Int? = nil,
        maxDuration: KubeDuration? = nil, reason: String? = nil, message: String? = nil
    ) {
        self.policies = policies
        self.outcome = outcome
        self.requiredApprovals = requiredApprovals
        self.maxDuration = maxDuration
        self.reason = reason
        self.message = message
    }
}
