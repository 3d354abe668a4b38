/// What the controller made of an ActionReview.
public struct ActionReviewStatus: Codable, Sendable, Hashable {
    /// Whether the review counted towards its request's decision.
    public var counted: Bool?
    /// `Counted`, or why not: `<Code>: <explanation>` (`SelfApproval: alice is the requester ...`).
    public var reason: String?
    public var observedGeneration: Int64?

    public init(counted: Bool? = nil, reason: String? = nil, observedGeneration: Int64? = nil) {
        self.counted = counted
        self.reason = reason
        self.observedGeneration = observedGeneration
    }
}
