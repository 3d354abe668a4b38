import AirlockAPI
import Foundation
import KubeClient
import KubeCore
import KubeTesting

/// What every cluster test starts from: the process's shared control plane, its admin
/// client and a fresh namespace of its own.
struct ClusterFixture {
    let controlPlane: TestControlPlane
    let admin: KubernetesClient
    let namespace: String

    static func make(_ prefix: String) async throws -> ClusterFixture {
        let controlPlane = try await TestControlPlane.shared()
        return ClusterFixture(
            controlPlane: controlPlane, admin: controlPlane.adminClient,
            namespace: try await controlPlane.makeNamespace(prefix: prefix))
    }

    /// A valid ActionRequest asking to delete one pod for 15 minutes.
    func actionRequest(_ name: String, reason: String = "db-0 is wedged; delete it so it restarts") -> ActionRequest {
        ActionRequest(
            metadata: ObjectMeta(name: name, namespace: namespace),
            spec: ActionRequestSpec(
                reason: reason, duration: KubeDuration(seconds: 900),
                permissions: [
                    PermissionRule(
                        namespace: namespace, apiGroups: [""], resources: ["pods"], verbs: ["delete"],
                        resourceNames: ["db-0"])
                ]))
    }
}

/// An ActionRequest with a free-form spec: lets a test send what the typed one cannot
/// express (a malformed duration, a missing reason).
struct UntypedActionRequest: KubeResource {
    static let group = ActionRequest.group, version = ActionRequest.version, kind = ActionRequest.kind
    static let plural = ActionRequest.plural, scope = ActionRequest.scope
    var apiVersion: String?
    var kind: String?
    var metadata: ObjectMeta
    var spec: JSONValue
}

/// The reasons of the Events about request `name`.
func events(_ fixture: AirlockFixture, _ name: String) async throws -> [String] {
    try await fixture.admin.list(Event.self, namespace: fixture.namespace).items
        .filter { $0.regarding.name == name }
        .map(\.reason)
}

/// Runs `create` again (up to 3 times) when the API server refused it because calling
/// the admission webhook timed out: nothing was stored, so trying again is safe.
func retryingWebhookTimeouts(_ create: () async throws -> Void) async throws {
    for attempt in 1... {
        do {
            return try await create()
        } catch let error as KubernetesError
            where attempt < 3 && error.code == 500 && error.message.contains("failed calling webhook")
        {
            continue
        }
    }
}
