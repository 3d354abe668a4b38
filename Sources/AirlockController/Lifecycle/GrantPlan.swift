import AirlockAPI
import Foundation
import KubeCore

/// Every object a grant consists of, as desired; built by `GrantPlanner` without I/O.
public struct GrantPlan: Sendable, Hashable {
    /// Who receives the access: the ephemeral ServiceAccount, or the requester itself.
    public var grantee: RBACSubject
    /// The ephemeral ServiceAccount (credential `Ephemeral`), in the request's namespace.
    public var serviceAccount: ServiceAccount?
    public var roles: [Role]
    public var roleBindings: [RoleBinding]
    public var clusterRoles: [ClusterRole]
    public var clusterRoleBindings: [ClusterRoleBinding]
    /// Name of the credential Secret (credential `Ephemeral`); its content needs a token, see
    /// `GrantPlanner.credentialSecret`.
    public var credentialSecretName: String?
    /// When the grant ends.
    public var expiresAt: Date
    /// Labels and annotations shared by every object of the grant.
    public var labels: [String: String]
    public var annotations: [String: String]

    /// Bindings end access; they go first on revoke, and are created last.
    public var bindingCount: Int { roleBindings.count + clusterRoleBindings.count }

    /// Every object of the plan, in creation order, without uids (the applier fills them).
    public var objectRefs: [GrantRef] {
        var refs: [GrantRef] = []
        func add<R: KubeResource>(_ object: R) {
            refs.append(
                GrantRef(
                    apiVersion: R.apiVersion, kind: R.kind, namespace: object.metadata.namespace,
                    name: object.metadata.name ?? "", uid: nil))
        }
        if let serviceAccount { add(serviceAccount) }
        roles.forEach(add)
        clusterRoles.forEach(add)
        if let name = credentialSecretName, let namespace = serviceAccount?.metadata.namespace {
            refs.append(GrantRef(apiVersion: "v1", kind: "Secret", namespace: namespace, name: name, uid: nil))
        }
        roleBindings.forEach(add)
        clusterRoleBindings.forEach(add)
        return refs
    }
}

/// A request that cannot be turned into grants.
public struct GrantPlanError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
