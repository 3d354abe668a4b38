import AirlockAPI
import KubeCore

/// A reviewer's decision taken in chat, verified and mapped but not yet acted on: the
/// controller turns it into an ActionReview created on the reviewer's behalf
/// (``onBehalfOf``), judged like every other review, and answers the chat only after the
/// review is persisted.
public struct ChatReviewIntent: Sendable, Hashable {
    /// Where the decision was taken.
    public enum Source: Sendable, Hashable {
        /// A button or select on the card.
        case button
        /// A submitted modal (Deny with a reason).
        case modal
    }

    /// The request instance (the review must be bound to this uid).
    public var request: ChatRequestReference
    public var decision: ReviewDecision
    /// A shorter duration ("Approve for less").
    public var duration: KubeDuration?
    /// The reason given (Deny).
    public var comment: String?
    /// ``AirlockConstants/Channel`` name: `slack`.
    public var channel: String
    /// The chat user id (Slack `U…`).
    public var externalUser: String
    /// The chat handle, for messages only.
    public var externalUsername: String?
    /// The workspace (Slack team id).
    public var externalTeam: String?
    /// The Kubernetes identity the user was mapped to.
    public var username: String
    public var groups: [String]
    /// The card clicked on (to update it).
    public var message: SlackMessageRef?
    /// Where to send an ephemeral answer (button clicks only).
    public var responseURL: String?
    public var source: Source
    /// Stable per click or submission: the same delivery always gives the same key, so the
    /// review it creates can be named from it and created at most once.
    public var idempotencyKey: String

    public init(
        request: ChatRequestReference, decision: ReviewDecision, duration: KubeDuration? = nil, comment: String? = nil,
        channel: String = AirlockConstants.Channel.slack, externalUser: String, externalUsername: String? = nil,
        externalTeam: String? = nil, username: String, groups: [String] = [], message: SlackMessageRef? = nil,
        responseURL: String? = nil, source: Source, idempotencyKey: String
    ) {
        self.request = request
        self.decision = decision
        self.duration = duration
        self.comment = comment
        self.channel = channel
        self.externalUser = externalUser
        self.externalUsername = externalUsername
        self.externalTeam = externalTeam
        self.username = username
        self.groups = groups
        self.message = message
        self.responseURL = responseURL
        self.source = source
        self.idempotencyKey = idempotencyKey
    }

    public var namespace: String { request.namespace }
    public var name: String { request.name }
    public var requestUID: String { request.uid }

    /// `spec.onBehalfOf` of the ActionReview to create.
    public var onBehalfOf: OnBehalfOf {
        OnBehalfOf(username: username, channel: channel, externalUser: externalUser)
    }

    /// A name for the ActionReview derived from ``idempotencyKey`` (`slack-<24 hex>`): a
    /// repeated create of the same decision answers AlreadyExists.
    public var reviewName: String {
        "\(channel)-\(idempotencyKey.prefix(24))"
    }
}
