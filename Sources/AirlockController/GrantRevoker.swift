import AirlockAPI
import KubeClient
import KubeCore
import Logging

/// Deletes grant objects in the order that ends access first: RoleBindings and
/// ClusterRoleBindings, then Roles and ClusterRoles, the credential Secret, and the
/// ServiceAccount last (deleting it invalidates every token issued for it).
///
/// `status.grants` is not trusted to say *what* to delete, only *where* to look: every delete
/// selects by the request's uid label, so only objects Airlock made for this request go,
/// whatever the status names.
struct GrantRevoker: Sendable {
    let client: KubernetesClient
    let logger: Logger

    /// The kinds of managed objects, in revocation order.
    static let order = ["RoleBinding", "ClusterRoleBinding", "Role", "ClusterRole", "Secret", "ServiceAccount"]

    static func selector(requestUID uid: String) -> String {
        "\(AirlockConstants.Label.managedBySelector),\(AirlockConstants.Label.requestUID)=\(uid)"
    }

    /// Deletes the request's objects of each kind and namespace the recorded grants name, one
    /// `deletecollection` per kind and namespace: the fast path for a Granted request.
    func revoke(grants: [GrantRef], requestUID uid: String) async throws {
        let selector = Self.selector(requestUID: uid)
        for kind in Self.order {
            let namespaces = Set(grants.filter { $0.kind == kind }.map { $0.namespace ?? "" }).sorted()
            for namespace in namespaces {
                let scope = namespace.isEmpty ? nil : namespace
                switch kind {
                case "RoleBinding": try await deleteAll(RoleBinding.self, namespace: scope, selector: selector)
                case "ClusterRoleBinding":
                    try await deleteAll(ClusterRoleBinding.self, namespace: nil, selector: selector)
                case "Role": try await deleteAll(Role.self, namespace: scope, selector: selector)
                case "ClusterRole": try await deleteAll(ClusterRole.self, namespace: nil, selector: selector)
                case "Secret": try await deleteAll(Secret.self, namespace: scope, selector: selector)
                default: try await deleteAll(ServiceAccount.self, namespace: scope, selector: selector)
                }
            }
        }
    }

    /// Deletes every object labelled with the request's uid, wherever it is; returns how many.
    /// For cleanups where `status.grants` may be incomplete (a grant interrupted before its
    /// status was written). Idempotent: objects already gone are skipped.
    @discardableResult
    func revoke(requestUID uid: String) async throws -> Int {
        let selector = Self.selector(requestUID: uid)
        var deleted = 0
        deleted += try await listAndDelete(RoleBinding.self, selector: selector)
        deleted += try await listAndDelete(ClusterRoleBinding.self, selector: selector)
        deleted += try await listAndDelete(Role.self, selector: selector)
        deleted += try await listAndDelete(ClusterRole.self, selector: selector)
        deleted += try await listAndDelete(Secret.self, selector: selector)
        deleted += try await listAndDelete(ServiceAccount.self, selector: selector)
        return deleted
    }

    private func deleteAll<R: KubeResource>(_ type: R.Type, namespace: String?, selector: String) async throws {
        do {
            try await client.deleteCollection(
                R.self, namespace: namespace, labelSelector: selector,
                options: DeleteOptions(propagationPolicy: .background))
        } catch let error as KubernetesError where error.isNotFound {
            // The namespace is gone, and the objects with it.
        }
    }

    private func listAndDelete<R: KubeResource>(_ type: R.Type, selector: String) async throws -> Int {
        let objects = try await client.listAll(R.self, options: ListOptions(labelSelector: selector))
        for object in objects.items { try await delete(object) }
        return objects.items.count
    }

    /// Deletes one object, guarded by its uid, so a same-named successor is never hit.
    func delete<R: KubeResource>(_ object: R) async throws {
        do {
            try await client.delete(
                R.self, name: object.metadata.name ?? "", namespace: object.metadata.namespace,
                options: DeleteOptions(propagationPolicy: .background, uid: object.metadata.uid))
            logger.debug("deleted \(R.kind) \(object.key)")
        } catch let error as KubernetesError where error.isNotFound || error.isConflict {
            // Gone already, or replaced by another object of that name: nothing of ours left.
        }
    }
}
