/// The chat user a controller-created ActionReview speaks for (`spec.onBehalfOf`). Accepted
/// only when the review's stamped reviewer is the controller itself.
public struct OnBehalfOf: Codable, Sendable, Hashable {
    /// The Kubernetes username the chat user maps to; nil when unmapped (the review cannot count).
    public var username: String?
    /// ``AirlockConstants/Channel`` name: `slack` or `teams`.
    public var channel: String
    /// The user's id on that channel (Slack user id, Teams AAD object id).
    public var externalUser: String
    /// Groups the controller's chat-user mapping gives the user (Kubernetes has no API to look
    /// up a user's groups): reviewer sets and the SubjectAccessReview use them.
    public var groups: [String]?

    public init(username: String?, channel: String, externalUser: String, groups: [String]? = nil) {
        self.username = username
        self.channel = channel
        self.externalUser = externalUser
        self.groups = groups?.isEmpty == true ? nil : groups
    }
}
