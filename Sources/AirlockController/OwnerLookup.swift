import AirlockAPI
import AirlockPolicy
import KubeClient
import KubeCore

/// Finds the person an agent's ServiceAccount acts for: its `airlock.dev/owner` annotation.
struct OwnerLookup: Sendable {
    let client: KubernetesClient

    /// The owner of `username` when it is a ServiceAccount with the annotation; "" when it has
    /// none (or is gone); nil for any other username.
    func owner(of username: String) async throws -> String? {
        guard let account = ServiceAccountUsername.parse(username) else { return nil }
        do {
            let object = try await client.get(ServiceAccount.self, name: account.name, namespace: account.namespace)
            return object.metadata.annotations?[AirlockConstants.Annotation.owner] ?? ""
        } catch let error as KubernetesError where error.isNotFound {
            return ""
        }
    }
}
