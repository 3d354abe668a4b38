/// Where a request that needs reviews is announced (`status.decision.notify`): the union of
/// the `notify` targets of the policies that require approval, stored with the decision so
/// delivery is judged from stored state, not from policies edited since.
public struct NotificationRecipients: Codable, Sendable, Hashable {
    /// Slack channel ids or names.
    public var slackChannels: [String]?
    /// Microsoft Teams conversations the bot posts the approval card to.
    public var teamsConversations: [TeamsConversationRef]?
    /// Secret keys holding Microsoft Teams Workflows webhook URLs.
    public var teamsWebhookSecrets: [SecretKeyRef]?
    /// Secret keys holding generic event webhook URLs.
    public var webhookSecrets: [SecretKeyRef]?

    public init(
        slackChannels: [String]? = nil, teamsConversations: [TeamsConversationRef]? = nil,
        teamsWebhookSecrets: [SecretKeyRef]? = nil, webhookSecrets: [SecretKeyRef]? = nil
    ) {
        self.slackChannels = slackChannels?.isEmpty == true ? nil : slackChannels
        self.teamsConversations = teamsConversations?.isEmpty == true ? nil : teamsConversations
        self.teamsWebhookSecrets = teamsWebhookSecrets?.isEmpty == true ? nil : teamsWebhookSecrets
        self.webhookSecrets = webhookSecrets?.isEmpty == true ? nil : webhookSecrets
    }

    /// Whether there is nowhere to notify.
    public var isEmpty: Bool {
        (slackChannels ?? []).isEmpty && (teamsConversations ?? []).isEmpty && (teamsWebhookSecrets ?? []).isEmpty
            && (webhookSecrets ?? []).isEmpty
    }
}

extension SecretKeyRef: CustomStringConvertible {
    /// `name/key`, as `status.notifications[].target` names a webhook.
    public var description: String { "\(name)/\(key)" }

    /// Parses `name/key`; nil when malformed.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(name: String(parts[0]), key: String(parts[1]))
    }
}
