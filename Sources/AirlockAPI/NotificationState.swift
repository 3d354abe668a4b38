import Foundation

/// Delivery state of one notification (`ActionRequest.status.notifications[]`).
public struct NotificationState: Codable, Sendable, Hashable {
    /// ``AirlockConstants/Channel`` name: `slack`, `teams` or `webhook`.
    public var channel: String
    /// Where on the channel (Slack channel, name of the Secret holding the Teams or webhook URL).
    public var target: String?
    /// The posted message (Slack `channel/ts`), for later updates and thread replies.
    public var messageRef: String?
    public var delivered: Bool
    public var attempts: Int
    public var lastAttemptAt: Date?
    public var lastError: String?

    public init(
        channel: String, target: String? = nil, messageRef: String? = nil, delivered: Bool = false,
        attempts: Int = 0, lastAttemptAt: Date? = nil, lastError: String? = nil
    ) {
        self.channel = channel
        self.target = target
        self.messageRef = messageRef
        self.delivered = delivered
        self.attempts = attempts
        self.lastAttemptAt = lastAttemptAt
        self.lastError = lastError
    }
}
