import Foundation
import KubeCore

/// One review as the controller processed it (`ActionRequest.status.reviews[]`): the audit
/// trail of who decided what, when, through which channel, and whether it counted.
public struct ReviewRecord: Codable, Sendable, Hashable {
    /// Name of the ActionReview this record comes from (so each is processed once).
    public var review: String?
    /// Username of the reviewer (for chat reviews: the mapped Kubernetes user).
    public var reviewer: String
    public var decision: ReviewDecision
    public var at: Date
    /// Channel the review came through (``AirlockConstants/Channel``).
    public var channel: String
    public var comment: String?
    /// The (possibly shorter) duration the reviewer approved.
    public var duration: KubeDuration?
    /// Whether the review counted towards the decision.
    public var counted: Bool
    /// Why it did not count (self-review, not allowed by policy, bad signature, ...).
    public var rejectedReason: String?

    /// Comments are kept in the status up to this many characters (the review has them whole).
    public static let maxCommentLength = 512

    public init(
        review: String? = nil, reviewer: String, decision: ReviewDecision, at: Date, channel: String,
        comment: String? = nil, duration: KubeDuration? = nil, counted: Bool, rejectedReason: String? = nil
    ) {
        self.review = review
        self.reviewer = reviewer
        self.decision = decision
        self.at = at
        self.channel = channel
        self.comment = comment
        self.duration = duration
        self.counted = counted
        self.rejectedReason = rejectedReason
    }
}
