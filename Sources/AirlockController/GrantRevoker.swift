import AirlockAPI
import KubeClient
import KubeCore
import Logging

/// Deletes grant objects. A request's own grants go all at once: access ends with the first
/// delete that lands (a binding gone, or the role it names, or the grantee), and a revocation
/// holds a worker for one round trip instead of one per object. Cleanups by label go in the
/// order that ends access first: RoleBindings and ClusterRoleBindings, then Roles and
/// ClusterRoles, the credential Secret, and the ServiceAccount last (deleting it invalidates
/// every token issued for it).
///
/// What to delete never comes from `status.grants` alone: the lifecycle passes only the refs
/// its own plan for the request names, and each delete is guarded by the recorded uid; the
/// cleanups that cannot rely on the status find objects by the request's uid label.
struct GrantRevoker: Sendable {
    let client: KubernetesClient
    let logger: Logger

    static func selector(requestUID uid: String) -> String {
        "\(AirlockConstants.Label.managedBySelector),\(AirlockConstants.Label.requestUID)=\(uid)"
    }

    /// Deletes exactly these objects of the request `requestUID`, one call each, all at once.
    /// Every delete is tried; the first failure is thrown after the others finish (the
    /// lifecycle tries again, and what is gone already is skipped).
    func revoke(grants: [GrantRef], requestUID: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for grant in grants {
                group.addTask { try await delete(grant, requestUID: requestUID) }
            }
            var failure: (any Error)?
            while let result = await group.nextResult() {
                if case .failure(let error) = result, failure == nil { failure = error }
            }
            if let failure { throw failure }
        }
    }

    private func delete(_ grant: GrantRef, requestUID: String) async throws {
        switch grant.kind {
        case "RoleBinding": try await delete(RoleBinding.self, grant, requestUID: requestUID)
        case "ClusterRoleBinding": try await delete(ClusterRoleBinding.self, grant, requestUID: requestUID)
        case "Role": try await delete(Role.self, grant, requestUID: requestUID)
        case "ClusterRole": try await delete(ClusterRole.self, grant, requestUID: requestUID)
        case "Secret": try await delete(Secret.self, grant, requestUID: requestUID)
        case "ServiceAccount": try await delete(ServiceAccount.self, grant, requestUID: requestUID)
        default: return  // Not a kind a grant makes.
        }
    }

    /// Deletes a recorded grant object. When its name now holds another object, that one goes
    /// too if it is labelled with the same request: another attempt at the same grant made it
    /// (a crash between its create and the status write, then a sweep of the first), and it
    /// gives the same access. Anything else under the name is left alone.
    private func delete<R: KubeResource>(_ type: R.Type, _ grant: GrantRef, requestUID: String) async throws {
        guard try await !delete(R.self, grant) else { return }
        let current: R
        do {
            current = try await client.get(R.self, name: grant.name, namespace: grant.namespace)
        } catch let error as KubernetesError where error.isNotFound {
            return
        }
        let labels = current.metadata.labels ?? [:]
        guard labels[AirlockConstants.Label.requestUID] == requestUID,
            labels[AirlockConstants.Label.managedBy] == AirlockConstants.Label.managedByValue
        else { return }
        logger.info("\(R.kind) \(current.key) was made again by another attempt at this grant; deleting it too")
        try await delete(current)
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

    private func listAndDelete<R: KubeResource>(_ type: R.Type, selector: String) async throws -> Int {
        let objects = try await client.listAll(R.self, options: ListOptions(labelSelector: selector))
        for object in objects.items { try await delete(object) }
        return objects.items.count
    }

    /// Deletes one object, guarded by its uid, so a same-named successor is never hit.
    func delete<R: KubeResource>(_ object: R) async throws {
        try await delete(R.self, GrantApplier.ref(object))
    }

    /// Deletes the object of type `R` that `meta` describes (only if its uid still matches).
    func delete<R: KubeResource>(_ type: R.Type, _ meta: ObjectMeta) async throws {
        try await delete(
            R.self,
            GrantRef(
                apiVersion: R.apiVersion, kind: R.kind, namespace: meta.namespace, name: meta.name ?? "",
                uid: meta.uid))
    }

    /// Deletes the object `grant` names if its uid still matches; false if another object now
    /// holds the name (a conflict). Gone already counts as deleted.
    @discardableResult
    private func delete<R: KubeResource>(_ type: R.Type, _ grant: GrantRef) async throws -> Bool {
        do {
            try await client.delete(
                R.self, name: grant.name, namespace: grant.namespace,
                options: DeleteOptions(propagationPolicy: .background, uid: grant.uid))
            logger.debug("deleted \(R.kind) \(grant.namespace.map { "\($0)/" } ?? "")\(grant.name)")
        } catch let error as KubernetesError where error.isNotFound {
            // Gone already.
        } catch let error as KubernetesError where error.isConflict {
            return false
        }
        return true
    }
}
