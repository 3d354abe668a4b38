/// A Microsoft Teams conversation the Airlock bot posts approval cards to: the Bot Connector
/// service URL of the tenant's region and the conversation id (a channel `19:…@thread.tacv2`,
/// a group chat `19:…@thread.v2`, or a personal chat `a:…`). Both come from an activity the bot
/// received there (docs/teams.md says how to find them).
public struct TeamsConversationRef: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Bot Connector base URL (`https://smba.trafficmanager.net/emea/`).
    public var serviceUrl: String
    /// The conversation id.
    public var conversationId: String

    public init(serviceUrl: String, conversationId: String) {
        self.serviceUrl = serviceUrl
        self.conversationId = conversationId
    }

    /// `<serviceUrl> <conversationId>`, as `status.notifications[].target` names it (neither
    /// part holds a space).
    public var description: String { "\(serviceUrl) \(conversationId)" }

    /// Parses ``description``; nil when malformed.
    public init?(parsing text: String) {
        let parts = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !parts[1].contains(" ") else { return nil }
        self.init(serviceUrl: String(parts[0]), conversationId: String(parts[1]))
    }
}
