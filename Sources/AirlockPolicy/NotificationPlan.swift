import AirlockAPI

/// Where to ask for reviews: the union of the `notify` targets of the policies that require
/// approval, each target once, in policy-name order.
public struct NotificationPlan: Sendable, Hashable {
    /// Slack channel ids or names.
    public var slackChannels: [String]
    /// Microsoft Teams conversations the bot posts the approval card to.
    public var teamsConversations: [TeamsConversationRef]
    /// Secret keys holding Microsoft Teams Workflows webhook URLs.
    public var teamsWebhookSecrets: [SecretKeyRef]
    /// Secret keys holding generic webhook URLs.
    public var webhookSecrets: [SecretKeyRef]

    public init(
        slackChannels: [String] = [], teamsConversations: [TeamsConversationRef] = [],
        teamsWebhookSecrets: [SecretKeyRef] = [], webhookSecrets: [SecretKeyRef] = []
    ) {
        self.slackChannels = slackChannels
        self.teamsConversations = teamsConversations
        self.teamsWebhookSecrets = teamsWebhookSecrets
        self.webhookSecrets = webhookSecrets
    }

    /// Whether there is nowhere to notify.
    public var isEmpty: Bool {
        slackChannels.isEmpty && teamsConversations.isEmpty && teamsWebhookSecrets.isEmpty && webhookSecrets.isEmpty
    }

    /// The plan as stored with the decision (`status.decision.notify`).
    public var recipients: NotificationRecipients {
        NotificationRecipients(
            slackChannels: slackChannels, teamsConversations: teamsConversations,
            teamsWebhookSecrets: teamsWebhookSecrets, webhookSecrets: webhookSecrets)
    }

    /// Adds the targets not already in the plan.
    public mutating func add(_ targets: NotificationTargets) {
        if let channel = targets.slackChannel, !channel.isEmpty, !slackChannels.contains(channel) {
            slackChannels.append(channel)
        }
        if let conversation = targets.teamsConversation, !teamsConversations.contains(conversation) {
            teamsConversations.append(conversation)
        }
        if let secret = targets.teamsWebhookSecret, !teamsWebhookSecrets.contains(secret) {
            teamsWebhookSecrets.append(secret)
        }
        if let secret = targets.webhookSecret, !webhookSecrets.contains(secret) {
            webhookSecrets.append(secret)
        }
    }
}
