import AirlockChat
import Foundation
import KubeRuntime

/// Settings of chat and event delivery (``Notifier``) and of the Slack interaction endpoint.
public struct ChatConfiguration: Sendable {
    /// Where the Slack credentials Secret, event webhook Secrets and the user-mapping
    /// ConfigMap live: the controller's own namespace.
    public var namespace: String
    /// Slack: nil when not configured (Slack targets are then recorded as not deliverable).
    public var slack: (any SlackAccess)?
    /// The Teams bot: nil when not configured (Teams targets are then recorded as not deliverable).
    public var teams: (any TeamsAccess)?
    /// CloudEvents `source` of the events sent to webhooks.
    public var eventSource: String
    /// Concurrent deliveries (one request at a time each).
    public var workers: Int
    /// How long before access ends the "ending soon" thread reply is posted.
    public var endingSoonLead: Duration
    /// Delays between failed attempts of one target (a `Retry-After` overrides them).
    public var retry: ExponentialBackoff
    /// Extra tries, at once and within the same attempt, of a Slack call that failed
    /// transiently (5xx, timeout, connection): one lost call should not cost a card a backoff.
    public var quickRetries: Int
    /// How long a webhook Secret is cached.
    public var secretTTL: Duration

    public init(
        namespace: String, slack: (any SlackAccess)? = nil, teams: (any TeamsAccess)? = nil,
        eventSource: String? = nil, workers: Int = 4,
        endingSoonLead: Duration = .seconds(300),
        retry: ExponentialBackoff = ExponentialBackoff(initial: .seconds(2), maximum: .seconds(30)),
        quickRetries: Int = 2, secretTTL: Duration = .seconds(30)
    ) {
        self.namespace = namespace
        self.slack = slack
        self.teams = teams
        self.eventSource = eventSource ?? "/airlock/\(namespace)"
        self.workers = workers
        self.endingSoonLead = endingSoonLead
        self.retry = retry
        self.quickRetries = max(0, quickRetries)
        self.secretTTL = secretTTL
    }
}

/// Where the notifier and the interaction endpoint get Slack from: a Web API client and an
/// interaction handler built from the current credentials (``SlackConnection``).
public protocol SlackAccess: Sendable {
    /// The Web API client.
    ///
    /// - Throws: ``AirlockChat/ChatError`` (`.unavailable`) while the credentials cannot be read.
    func client() async throws(ChatError) -> SlackClient
    /// The handler that verifies and parses interactions.
    func interactions() async throws(ChatError) -> SlackInteractionHandler
}

/// Where the notifier and the `/teams/messages` endpoint get the Teams bot from: a Bot
/// Connector client and an invoke handler built from the current credentials
/// (``TeamsConnection``).
public protocol TeamsAccess: Sendable {
    /// The Bot Connector client.
    ///
    /// - Throws: ``AirlockChat/ChatError`` (`.unavailable`) while the credentials cannot be read.
    func connector() async throws(ChatError) -> BotConnectorClient
    /// The handler that validates tokens and parses invokes.
    func invokes() async throws(ChatError) -> TeamsInvokeHandler
    /// Teams user ids (`29:…`) of mapped users, with their identities: the card's
    /// `refresh.userIds` are chosen among them.
    func refreshCandidates() async -> [String: ChatIdentity]
}
