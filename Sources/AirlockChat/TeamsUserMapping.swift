import Foundation
import KubeCore

/// How a Teams user becomes a Kubernetes identity: first a table keyed by Entra ID object id
/// (`from.aadObjectId`; a ConfigMap, ``StaticUserMapper`` format with ``StaticUserMapper/UserKeys/teams``
/// keys), then — when an email rule is set — the member's email or user principal name from
/// the Bot Connector (`GET …/members/{from.id}`). Anonymous users and `system:` names never map.
public struct TeamsUserMapping: Sendable {
    public var table: (any ChatUserMapper)?
    public var emailRule: EmailUsernameRule?
    /// Groups every email-mapped user gets.
    public var emailGroups: [String]

    public init(table: (any ChatUserMapper)?, emailRule: EmailUsernameRule?, emailGroups: [String] = []) {
        self.table = table
        self.emailRule = emailRule
        self.emailGroups = emailGroups
    }

    /// The identity of the user who sent `activity`, or nil when unmapped.
    ///
    /// - Throws: ``ChatError`` when a look-up failed (retryable).
    public func identity(
        for activity: TeamsActivity, connector: BotConnectorClient
    ) async throws(ChatError) -> ChatIdentity? {
        guard let objectID = activity.fromAADObjectID?.lowercased(), !objectID.isEmpty else { return nil }
        if let table,
            let identity = try await table.identity(
                for: ChatUser(id: objectID, handle: activity.fromName, teamID: activity.tenantID))
        {
            return identity
        }
        guard let emailRule else { return nil }
        let member = try await connector.member(activity.fromID, in: activity.conversation)
        // The member must be the same Entra ID user the token's activity names.
        guard member["objectId"]?.stringValue?.lowercased() == objectID,
            let address = member["email"]?.stringValue ?? member["userPrincipalName"]?.stringValue,
            let username = emailRule.username(for: address), !username.hasPrefix("system:")
        else { return nil }
        return ChatIdentity(username: username, groups: emailGroups)
    }
}
