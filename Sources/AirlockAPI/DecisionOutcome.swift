/// What policy says about a request: in an ApprovalPolicy's `spec.decision` and in an
/// ActionRequest's `status.decision.outcome`. Ordered from least to most restrictive.
public enum DecisionOutcome: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    /// Granted without human review.
    case autoApprove = "AutoApprove"
    /// Granted after enough distinct, allowed reviewers approve.
    case requireApproval = "RequireApproval"
    /// Never granted.
    case deny = "Deny"

    /// Restrictiveness: `autoApprove < requireApproval < deny` (several policies combine to the max).
    public static func < (lhs: DecisionOutcome, rhs: DecisionOutcome) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .autoApprove: 0
        case .requireApproval: 1
        case .deny: 2
        }
    }
}
