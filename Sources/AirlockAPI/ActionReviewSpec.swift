import KubeCore

/// One reviewer's decision (immutable after creation).
public struct ActionReviewSpec: Codable, Sendable, Hashable {
    /// Name of the ActionRequest (same namespace).
    public var request: String
    public var decision: ReviewDecision
    /// With Approve: a shorter duration than asked (never longer).
    public var duration: KubeDuration?
    public var comment: String?
    /// Stamped and signed by the admission webhook; never trusted from the client.
    public var reviewer: Identity?
    /// Set only by the controller, for a review made in chat.
    public var onBehalfOf: OnBehalfOf?
    /// The uid of the request instance reviewed. Stamped (and signed) by the admission webhook:
    /// a review never counts for a later request that reuses the name.
    public var requestUID: String?

    public init(
        request: String, decision: ReviewDecision, duration: KubeDuration? = nil, comment: String? = nil,
        reviewer: Identity? = nil, onBehalfOf: OnBehalfOf? = nil, requestUID: String? = nil
    ) {
        self.request = request
        self.decision = decision
        self.duration = duration
        self.comment = comment
        self.reviewer = reviewer
        self.onBehalfOf = onBehalfOf
        self.requestUID = requestUID
    }
}
