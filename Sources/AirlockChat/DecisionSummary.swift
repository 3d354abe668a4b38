import AirlockAPI
import KubeCore

/// What policy decided about a request (`status.decision`), as reviewers see it.
public struct DecisionSummary: Codable, Sendable, Hashable {
    /// Names of the matching ApprovalPolicies; empty when the controller's default applied.
    public var policies: [String]
    public var outcome: DecisionOutcome
    /// Distinct approvals needed.
    public var requiredApprovals: Int
    /// Who may review: a reviewer must be allowed by every set.
    public var reviewers: [ReviewerSet]
    public var maxDuration: KubeDuration?
    /// Machine-readable reason (`PolicyMatched`, `GuardrailWildcardVerb`, ...).
    public var reason: String?
    /// Human-readable explanation.
    public var message: String?

    public init(
        policies: [String], outcome: DecisionOutcome, requiredApprovals: Int, reviewers: [ReviewerSet],
        maxDuration: KubeDuration? = nil, reason: String? = nil, message: String? = nil
    ) {
        self.policies = policies
        self.outcome = outcome
        self.requiredApprovals = requiredApprovals
        self.reviewers = reviewers
        self.maxDuration = maxDuration
        self.reason = reason
        self.message = message
    }

    /// `status.decision` (a missing `requiredApprovals` counts as 1).
    public init(_ decision: PolicyDecision) {
        self.init(
            policies: decision.policies ?? [], outcome: decision.outcome,
            requiredApprovals: max(1, decision.requiredApprovals ?? 1), reviewers: decision.reviewers ?? [],
            maxDuration: decision.maxDuration, reason: decision.reason, message: decision.message)
    }

    /// Who may approve, in words: `users alice, bob or group sre`, sets joined by "and";
    /// nil when anyone with RBAC `approve` may.
    public var reviewersDescription: String? {
        let parts = reviewers.compactMap { set -> String? in
            var alternatives: [String] = []
            if let users = set.users, !users.isEmpty {
                alternatives.append((users.count == 1 ? "user " : "users ") + users.joined(separator: ", "))
            }
            if let groups = set.groups, !groups.isEmpty {
                alternatives.append((groups.count == 1 ? "group " : "groups ") + groups.joined(separator: ", "))
            }
            return alternatives.isEmpty ? nil : alternatives.joined(separator: " or ")
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", and ")
    }
}
