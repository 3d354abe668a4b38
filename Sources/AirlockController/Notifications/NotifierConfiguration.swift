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
    /// CloudEvents `source` of the events sent to webhooks.
    public var eventSource: String
    /// Concurrent deliveries (one request at a time each).
    public var workers: Int
    /// How long before access ends the "ending soon" thread reply is posted.
    public var endingSoonLead: Duration
    /// Delays between failed attempts of one target (a `Retry-After` overrides them).
    public var retry: ExponentialBackoff
    /// How long a webhook Secret is cached.
    public var secretTTL: Duration

    public init(
        namespace: String, slack: (any SlackAccess)? = nil, eventSource: String? = nil, workers: Int = 4,
        endingSoonLead: Duration = .seconds(300),
        retry: ExponentialBackoff = ExponentialBackoff(initial: .seconds(2), maximum: .seconds(300)),
        secretTTL: Duration = .seconds(30)
    ) {
        self.namespace = namespace
        self.slack = slack
        self.eventSource = eventSource ?? "/airlock/\(namespace)"
        self.workers = workers
        self.endingSoonLead = endingSoonLead
        self.retry = retry
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
