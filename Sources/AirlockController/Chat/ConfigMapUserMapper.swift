import AirlockChat
import Foundation
import KubeClient
import KubeCore
import Logging
import Synchronization

/// Maps Slack users through a ConfigMap in the controller's namespace (``StaticUserMapper``'s
/// format: Slack user id → username or `{"username", "groups"}`), read at most once per `ttl`.
/// A missing ConfigMap maps nobody; a malformed one is logged and maps nobody (fix it and the
/// next read applies). Reading needs only `get` on that ConfigMap.
public final class ConfigMapUserMapper: ChatUserMapper {
    private let client: KubernetesClient
    private let namespace: String
    private let name: String
    private let ttl: Duration
    private let logger: Logger
    private let cache = Mutex<(users: [String: ChatIdentity], until: ContinuousClock.Instant)?>(nil)

    public init(
        client: KubernetesClient, namespace: String, name: String, ttl: Duration = .seconds(30), logger: Logger
    ) {
        self.client = client
        self.namespace = namespace
        self.name = name
        self.ttl = ttl
        self.logger = logger
    }

    public func identity(for user: ChatUser) async throws(ChatError) -> ChatIdentity? {
        try await users()[user.id]
    }

    private func users() async throws(ChatError) -> [String: ChatIdentity] {
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0 }), now < cached.until { return cached.users }
        var users: [String: ChatIdentity] = [:]
        do {
            let map = try await client.get(ConfigMap.self, name: name, namespace: namespace)
            users = try StaticUserMapper.parse(configMapData: map.data ?? [:])
        } catch let error as KubernetesError where error.isNotFound {
            users = [:]
        } catch let error as ChatError {
            logger.error("the Slack user mapping ConfigMap \(namespace)/\(name) is malformed: \(error.message)")
        } catch {
            throw ChatError(.unavailable, "cannot read the ConfigMap \(namespace)/\(name): \(error)")
        }
        let entry = (users, now.advanced(by: ttl))
        cache.withLock { $0 = entry }
        return users
    }
}
