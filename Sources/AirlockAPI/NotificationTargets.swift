/// Where an ApprovalPolicy's requests are announced for review (`ApprovalPolicy.spec.notify`).
public struct NotificationTargets: Codable, Sendable, Hashable {
    /// Slack channel id or name.
    public var slackChannel: String?
    /// Microsoft Teams conversation the Airlock bot posts the approval card to.
    public var teamsConversation: TeamsConversationRef?
    /// Secret key holding a Microsoft Teams Workflows webhook URL (notification only: no buttons).
    public var teamsWebhookSecret: SecretKeyRef?
    /// Secret key holding an event webhook URL; the same Secret holds the signing secret under
    /// the key `signing-secret` (`whsec_<base64>`).
    public var webhookSecret: SecretKeyRef?

    public init(
        slackChannel: String? = nil, teamsConversation: TeamsConversationRef? = nil,
        teamsWebhookSecret: SecretKeyRef? = nil, webhookSecret: SecretKeyRef? = nil
    ) {
        self.slackChannel = slackChannel
        self.teamsConversation = teamsConversation
        self.teamsWebhookSecret = teamsWebhookSecret
        self.webhookSecret = webhookSecret
    }
}

/// A key of a Secret in the controller's own namespace (policies are cluster-scoped; the
/// controller reads Secrets only where it runs).
public struct SecretKeyRef: Codable, Sendable, Hashable {
    public var name: String
    public var key: String

    public init(name: String, key: String) {
        self.name = name
        self.key = key
    }
}
