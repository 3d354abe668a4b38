/// The chat user a controller-created ActionReview speaks for (`spec.onBehalfOf`). Accepted
/// only when the review's stamped reviewer is the controller itself.
public struct OnBehalfOf: Codable, Sendable, Hashable {
    /// The Kubernetes username the chat user maps to; nil when unmapped (the review cannot count).
    public var username: String?
    /// ``AirlockConstants/Channel`` name: `slack` or `teams`.
    public var channel: String
    /// The user's id on that channel (Slack user id, Teams AAD object id).
    public var externalUser: String

    public init(username: String?, channel: String, externalUser: String) {
        self.username = username
        self.channel = channel
        self.externalUser = externalUser
    }
}
