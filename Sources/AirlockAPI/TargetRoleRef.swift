import KubeCore

/// An existing Role or ClusterRole an ActionRequest asks to be bound.
public struct TargetRoleRef: Codable, Sendable, Hashable {
    /// Which kind of role.
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        case role = "Role"
        case clusterRole = "ClusterRole"
    }

    public var kind: Kind
    public var name: String
    /// Where the RoleBinding goes (required for a Role; for a ClusterRole, nil asks for a
    /// cluster-wide ClusterRoleBinding).
    public var namespace: String?

    public init(kind: Kind, name: String, namespace: String?) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
    }

    /// Whether the binding would be cluster-wide.
    public var isClusterScoped: Bool { namespace == nil }

    /// The `roleRef` of the binding that grants it.
    public var rbacRoleRef: RoleRef { RoleRef(kind: kind.rawValue, name: name) }
}
