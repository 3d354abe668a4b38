import Foundation
import KubeCore

/// Maps chat users through a fixed table, typically a ConfigMap in the controller's
/// namespace.
///
/// ConfigMap format: each key is a Slack user id (`U…` or `W…`, as shown in a Slack profile
/// under "Copy member ID"); each value is either the Kubernetes username, or a JSON object
/// with `username` and optional `groups`:
///
/// ```yaml
/// apiVersion: v1
/// kind: ConfigMap
/// metadata: {name: airlock-slack-users, namespace: airlock-system}
/// data:
///   U024BE7LH: alice@example.com
///   U0G9QF9C6: '{"username": "bob", "groups": ["sre", "oncall"]}'
/// ```
///
/// Usernames and groups starting with `system:` are refused: chat users map to people, never
/// to ServiceAccounts or built-in groups like `system:masters`.
public struct StaticUserMapper: ChatUserMapper {
    /// Slack user id → identity.
    public let users: [String: ChatIdentity]

    public init(users: [String: ChatIdentity]) {
        self.users = users
    }

    /// The table of a ConfigMap's `data` (format above).
    ///
    /// - Throws: ``ChatError`` (`.invalidInput`) naming the first bad key.
    public init(configMapData data: [String: String], keys: UserKeys = .slack) throws(ChatError) {
        self.init(users: try Self.parse(configMapData: data, keys: keys))
    }

    /// The table of a ConfigMap (format above).
    public init(configMap: ConfigMap) throws(ChatError) {
        try self.init(configMapData: configMap.data ?? [:])
    }

    public func identity(for user: ChatUser) async throws(ChatError) -> ChatIdentity? {
        users[user.id]
    }

    /// Which chat's user ids a table's keys are.
    public enum UserKeys: Sendable, Hashable {
        /// Slack user ids (`U…`, `W…`).
        case slack
        /// Teams users' Entra ID object ids (GUIDs, `from.aadObjectId`); a JSON value may add
        /// `"teamsUserId": "29:…"` so the card shows that user live buttons without a click.
        case teams

        func accepts(_ key: String) -> Bool {
            switch self {
            case .slack: StaticUserMapper.isSlackUserID(key)
            case .teams: StaticUserMapper.isTeamsUserKey(key)
            }
        }

        var expected: String {
            switch self {
            case .slack: "a Slack user id (U… or W…, from 'Copy member ID')"
            case .teams: "a Teams user's Entra ID object id (a GUID)"
            }
        }
    }

    /// Parses ConfigMap data (format above). Teams keys come back lower-cased (object ids are
    /// compared without case).
    ///
    /// - Throws: ``ChatError`` (`.invalidInput`) naming the key and what is wrong with it, or
    ///   two keys that are the same Teams user spelled in different cases.
    public static func parse(
        configMapData data: [String: String], keys: UserKeys = .slack
    ) throws(ChatError) -> [String: ChatIdentity] {
        var users: [String: ChatIdentity] = [:]
        for key in data.keys.sorted() {
            let value = data[key, default: ""].trimmingCharacters(in: .whitespacesAndNewlines)
            guard keys.accepts(key) else {
                throw ChatError(.invalidInput, "user mapping key '\(key)' is not \(keys.expected)")
            }
            let identity: ChatIdentity
            if value.hasPrefix("{") {
                guard let json = try? KubeJSON.decode(JSONValue.self, from: Data(value.utf8)),
                    let username = json["username"]?.stringValue
                else {
                    throw ChatError(
                        .invalidInput,
                        "user mapping '\(key)' is not a username or a JSON object {\"username\": …, \"groups\": […]}")
                }
                let groups = json["groups"]?.arrayItems?.compactMap(\.stringValue) ?? []
                guard json["groups"] == nil || groups.count == json["groups"]?.arrayItems?.count else {
                    throw ChatError(.invalidInput, "user mapping '\(key)': groups must be a list of strings")
                }
                identity = ChatIdentity(username: username, groups: groups)
            } else {
                identity = ChatIdentity(username: value)
            }
            guard !identity.username.isEmpty else {
                throw ChatError(.invalidInput, "user mapping '\(key)' has an empty username")
            }
            if let reserved = ([identity.username] + identity.groups).first(where: { $0.hasPrefix("system:") }) {
                throw ChatError(
                    .invalidInput,
                    "user mapping '\(key)' names '\(reserved)': chat users cannot map to system: users or groups")
            }
            let id = keys == .teams ? key.lowercased() : key
            if users[id] != nil {
                throw ChatError(
                    .invalidInput, "user mapping '\(key)' repeats another key's Entra ID object id in a different case")
            }
            users[id] = identity
        }
        return users
    }

    /// A GUID (`xxxxxxxx-xxxx-…`, any case).
    static func isTeamsUserKey(_ text: String) -> Bool {
        UUID(uuidString: text) != nil
    }

    /// `U…` or `W…` followed by upper-case letters and digits.
    static func isSlackUserID(_ text: String) -> Bool {
        guard let first = text.first, first == "U" || first == "W", (3...32).contains(text.count) else { return false }
        return text.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }
    }
}
