import Foundation
import KubeClient
import KubeCore
import KubeRuntime

/// Secrets of the controller's namespace read by name and kept for a while: event webhook
/// URLs and signing secrets are read once per `ttl`, not once per event. A rotated Secret
/// applies within `ttl`. Values never reach a log.
actor SecretCache {
    private let client: KubernetesClient
    private let namespace: String
    private let ttl: Duration
    private let clock: AnyWallClock
    private var entries: [String: (secret: Secret, until: ManualClock.Instant)] = [:]

    init(client: KubernetesClient, namespace: String, ttl: Duration, clock: AnyWallClock) {
        self.client = client
        self.namespace = namespace
        self.ttl = ttl
        self.clock = clock
    }

    /// The Secret `name` (from the cache when read within `ttl`).
    ///
    /// - Throws: the client's error (`isNotFound` when there is no such Secret).
    func secret(named name: String) async throws -> Secret {
        let now = clock.now
        if let entry = entries[name], now < entry.until { return entry.secret }
        let secret = try await client.get(Secret.self, name: name, namespace: namespace)
        entries[name] = (secret, clock.now.advanced(by: ttl))
        return secret
    }
}
