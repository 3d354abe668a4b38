import AirlockAPI

/// The Role or ClusterRole a request asks to be bound, with the rules it resolved to when
/// the request was evaluated (`status.roleSnapshot`): what is judged and granted.
public struct RoleSummary: Codable, Sendable, Hashable {
    public var kind: TargetRoleRef.Kind
    public var name: String
    /// Where it is bound; nil for a cluster-wide ClusterRoleBinding.
    public var namespace: String?
    /// The resolved rules; nil until the controller has snapshotted the role.
    public var rules: [AccessLine]?

    public init(kind: TargetRoleRef.Kind, name: String, namespace: String?, rules: [AccessLine]?) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.rules = rules
    }

    /// `spec.roleRef` with the snapshot's rules when the snapshot is of that role.
    public init(roleRef: TargetRoleRef, snapshot: RoleSnapshot?) {
        let matching = snapshot.flatMap { $0.kind == roleRef.kind && $0.name == roleRef.name ? $0 : nil }
        self.init(
            kind: roleRef.kind, name: roleRef.name, namespace: roleRef.namespace,
            rules: matching.map { $0.rules.map { AccessLine(rule: $0, namespace: roleRef.namespace) } })
    }

    /// What the role's rules make possible (cluster-wide when bound without a namespace).
    public var risks: [AccessRisk] {
        var risks = Set((rules ?? []).flatMap(\.risks))
        if namespace == nil { risks.insert(.clusterWide) }
        return risks.sorted()
    }
}
