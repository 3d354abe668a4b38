/// How many distinct reviewers must approve, and who may (`ApprovalPolicy.spec.approvals`).
public struct ApprovalRequirement: Codable, Sendable, Hashable {
    /// Distinct approvals needed.
    public var required: Int
    /// Who may approve; nil means anyone RBAC allows to `approve` ActionRequests.
    public var reviewers: ReviewerSet?

    public init(required: Int = 1, reviewers: ReviewerSet? = nil) {
        self.required = required
        self.reviewers = reviewers
    }

    /// Reads `required` as 1 when absent (the API server defaults it the same way).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.required = try container.decodeIfPresent(Int.self, forKey: .required) ?? 1
        self.reviewers = try container.decodeIfPresent(ReviewerSet.self, forKey: .reviewers)
    }
}

/// Users and groups allowed to review.
public struct ReviewerSet: Codable, Sendable, Hashable {
    public var users: [String]?
    public var groups: [String]?

    public init(users: [String]? = nil, groups: [String]? = nil) {
        self.users = users
        self.groups = groups
    }
}
