import Foundation

/// Delivery state of one notification target (`ActionRequest.status.notifications[]`): a Slack
/// channel's approval card and its follow-ups, or an event webhook's events. Written by the
/// controller's notifier only, so a restart or a leader change neither loses nor repeats a
/// message: delivery is judged from this state and the rest of the status.
public struct NotificationState: Codable, Sendable, Hashable {
    /// ``AirlockConstants/Channel`` name: `slack`, `teams` or `webhook`.
    public var channel: String
    /// Where on the channel: the Slack channel as the policy names it; for Teams, a
    /// ``TeamsConversationRef`` (`<serviceUrl> <conversationId>`); for a webhook (event or Teams
    /// Workflows), the Secret key holding its URL as `name/key`.
    public var target: String?
    /// The posted message (Slack `channel/ts`, Teams activity id), for later updates and replies.
    public var messageRef: String?
    /// Slack: the card is posted. Webhook: every event due so far is delivered.
    public var delivered: Bool
    /// Delivery calls made so far.
    public var attempts: Int
    public var lastAttemptAt: Date?
    /// The last delivery error; cleared by the next success.
    public var lastError: String?
    /// Consecutive failures: the next attempt waits for a backoff.
    public var failures: Int?
    /// Not before this moment (backoff, or a `Retry-After` the channel asked for).
    public var retryAt: Date?
    /// A card post was attempted and may have reached Slack (the controller stopped, or the
    /// answer was lost): before posting again, look the card up by its metadata.
    public var inDoubt: Bool?
    /// What the card shows (`Pending/1`, `Granted`, `Expired`, ...): it is updated when this
    /// differs from the request.
    public var card: String?
    /// Thread replies posted under the card (``Reply``).
    public var replies: [String]?
    /// Slack thread replies attempted but not recorded (``Reply``): each may have been posted,
    /// so it is looked up in the thread by its metadata before it is posted again.
    public var repliesInDoubt: [String]?
    /// Webhook: ids of the CloudEvents delivered (one per transition).
    public var events: [String]?

    /// Thread replies under a Slack card.
    public enum Reply: String, Codable, Sendable, Hashable, CaseIterable {
        /// Access started.
        case granted = "Granted"
        /// A few minutes before access ends.
        case endingSoon = "EndingSoon"
        /// Access ran out.
        case ended = "Ended"
        /// Access was ended early.
        case revoked = "Revoked"
    }

    public init(
        channel: String, target: String? = nil, messageRef: String? = nil, delivered: Bool = false,
        attempts: Int = 0, lastAttemptAt: Date? = nil, lastError: String? = nil, failures: Int? = nil,
        retryAt: Date? = nil, inDoubt: Bool? = nil, card: String? = nil, replies: [String]? = nil,
        repliesInDoubt: [String]? = nil, events: [String]? = nil
    ) {
        self.channel = channel
        self.target = target
        self.messageRef = messageRef
        self.delivered = delivered
        self.attempts = attempts
        self.lastAttemptAt = lastAttemptAt
        self.lastError = lastError
        self.failures = failures
        self.retryAt = retryAt
        self.inDoubt = inDoubt
        self.card = card
        self.replies = replies
        self.repliesInDoubt = repliesInDoubt
        self.events = events
    }

    /// Most events listed per webhook target (a request has few transitions: pending, at most
    /// 32 listed reviews, granted, its end).
    public static let maxEvents = 64
}
