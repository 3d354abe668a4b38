import AirlockChat
import Foundation
import KubeClient
import KubeCore
import Logging
import Synchronization

/// Maps chat users through a ConfigMap in the controller's namespace (``StaticUserMapper``'s
/// format: user id → username or `{"username", "groups"}`; Slack user ids, or for Teams Entra ID
/// object ids, whose JSON values may add `"teamsUserId": "29:…"`), read at most once per `ttl`.
/// A missing ConfigMap maps nobody; a malformed one is logged and maps nobody (fix it and the
/// next read applies). Reading needs only `get` on that ConfigMap.
public final class ConfigMapUserMapper: ChatUserMapper {
    private struct Table {
        var users: [String: ChatIdentity]
        /// Teams user id → identity, for entries naming one.
        var teamsUsers: [String: ChatIdentity]
    }

    private let client: KubernetesClient
    private let namespace: String
    private let name: String
    private let keys: StaticUserMapper.UserKeys
    private let ttl: Duration
    private let logger: Logger
    private let cache = Mutex<(table: Table, until: ContinuousClock.Instant)?>(nil)

    public init(
        client: KubernetesClient, namespace: String, name: String, keys: StaticUserMapper.UserKeys = .slack,
        ttl: Duration = .seconds(30), logger: Logger
    ) {
        self.client = client
        self.namespace = namespace
        self.name = name
        self.keys = keys
        self.ttl = ttl
        self.logger = logger
    }

    public func identity(for user: ChatUser) async throws(ChatError) -> ChatIdentity? {
        let id = keys == .teams ? user.id.lowercased() : user.id
        return try await table().users[id]
    }

    /// Teams user ids (`teamsUserId` in the values) with their identities; empty when the
    /// ConfigMap cannot be read.
    public func teamsUsers() async -> [String: ChatIdentity] {
        (try? await table().teamsUsers) ?? [:]
    }

    private func table() async throws(ChatError) -> Table {
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0 }), now < cached.until { return cached.table }
        var table = Table(users: [:], teamsUsers: [:])
        do {
            let map = try await client.get(ConfigMap.self, name: name, namespace: namespace)
            let data = map.data ?? [:]
            let users = try StaticUserMapper.parse(configMapData: data, keys: keys)
            table.users = users
            if keys == .teams {
                for (key, value) in data {
                    guard let json = try? KubeJSON.decode(JSONValue.self, from: Data(value.utf8)),
                        let teamsID = json["teamsUserId"]?.stringValue, teamsID.hasPrefix("29:"),
                        let identity = users[key.lowercased()]
                    else { continue }
                    table.teamsUsers[teamsID] = identity
                }
            }
        } catch let error as KubernetesError where error.isNotFound {
        } catch let error as ChatError {
            logger.error("the user mapping ConfigMap \(namespace)/\(name) is malformed: \(error.message)")
        } catch {
            throw ChatError(.unavailable, "cannot read the ConfigMap \(namespace)/\(name): \(error)")
        }
        let entry = (table, now.advanced(by: ttl))
        cache.withLock { $0 = entry }
        return table
    }
}
