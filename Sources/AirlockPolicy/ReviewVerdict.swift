import AirlockAPI

/// What ``ReviewTally`` made of one review: counted, or rejected with a reason.
public struct ReviewVerdict: Sendable, Hashable {
    public var review: ReviewCandidate
    /// Nil when the review counted.
    public var rejection: ReviewRejection?
    /// A sentence for people: what counted, or why not.
    public var message: String

    public init(review: ReviewCandidate, rejection: ReviewRejection?, message: String) {
        self.review = review
        self.rejection = rejection
        self.message = message
    }

    /// Whether the review counted towards the outcome.
    public var counted: Bool { rejection == nil }

    /// The entry for `ActionRequest.status.reviews[]`; `rejectedReason` is `<Code>: <message>`.
    public var record: ReviewRecord {
        ReviewRecord(
            review: review.name, reviewer: review.effectiveReviewer, decision: review.decision, at: review.at,
            channel: review.channel, comment: review.comment.map { String($0.prefix(ReviewRecord.maxCommentLength)) },
            duration: review.duration, counted: counted,
            rejectedReason: rejection.map { "\($0.rawValue): \(message)" })
    }
}
