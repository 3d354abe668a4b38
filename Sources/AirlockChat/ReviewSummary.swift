import AirlockAPI
import Foundation
import KubeCore

/// One review of a request (`status.reviews[]`), as reviewers see it.
public struct ReviewSummary: Codable, Sendable, Hashable {
    public var reviewer: String
    public var decision: ReviewDecision
    public var at: Date
    /// Channel the review came through (`slack`, `kubernetes`, ...).
    public var channel: String
    /// Whether it counted towards the decision.
    public var counted: Bool
    public var comment: String?
    /// The (possibly shorter) duration approved.
    public var duration: KubeDuration?
    /// Why it did not count.
    public var rejectedReason: String?

    public init(
        reviewer: String, decision: ReviewDecision, at: Date, channel: String, counted: Bool, comment: String? = nil,
        duration: KubeDuration? = nil, rejectedReason: String? = nil
    ) {
        self.reviewer = reviewer
        self.decision = decision
        self.at = at
        self.channel = channel
        self.counted = counted
        self.comment = comment
        self.duration = duration
        self.rejectedReason = rejectedReason
    }

    /// A review record of `status.reviews`.
    public init(_ record: ReviewRecord) {
        self.init(
            reviewer: record.reviewer, decision: record.decision, at: record.at, channel: record.channel,
            counted: record.counted, comment: record.comment, duration: record.duration,
            rejectedReason: record.rejectedReason)
    }
}
