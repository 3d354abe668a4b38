import KubeCore

/// The rules of a request's `spec.roleRef` as they were when the request was first evaluated
/// (`ActionRequest.status.roleSnapshot`). Policies, guardrails and reviewers judge exactly
/// these rules, and the grant is Airlock's own Role (or ClusterRole) holding them: a later
/// edit of the named role widens nothing.
public struct RoleSnapshot: Codable, Sendable, Hashable {
    /// The role named by `spec.roleRef`.
    public var kind: TargetRoleRef.Kind
    public var name: String
    /// Where the Role lives (nil for a ClusterRole).
    public var namespace: String?
    /// The role's rules; for an aggregated ClusterRole, the rules of every ClusterRole its
    /// `aggregationRule` selects.
    public var rules: [PolicyRule]

    public init(kind: TargetRoleRef.Kind, name: String, namespace: String?, rules: [PolicyRule]) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.rules = rules
    }

    /// At most this many rules are snapshotted; a larger role is refused.
    public static let maxRules = 256
}
