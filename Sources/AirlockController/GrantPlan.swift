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
}

/// A request that cannot be turned into grants.
public struct GrantPlanError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
