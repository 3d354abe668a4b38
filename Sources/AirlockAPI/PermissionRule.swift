import KubeCore

/// One RBAC rule an ActionRequest asks for, in one target namespace.
///
/// A rule without `namespace` is cluster-scoped; only a policy with `match.clusterScope: true`
/// allows those.
public struct PermissionRule: Codable, Sendable, Hashable {
    /// Target namespace; nil for a cluster-scoped rule.
    public var namespace: String?
    /// API groups (`""` for the core group).
    public var apiGroups: [String]
    /// Resources, optionally with a subresource (`pods`, `pods/exec`).
    public var resources: [String]
    /// Verbs (`get`, `delete`, ...).
    public var verbs: [String]
    /// Object names the rule is limited to; nil means every object of the resources.
    public var resourceNames: [String]?

    public init(
        namespace: String?, apiGroups: [String], resources: [String], verbs: [String],
        resourceNames: [String]? = nil
    ) {
        self.namespace = namespace
        self.apiGroups = apiGroups
        self.resources = resources
        self.verbs = verbs
        self.resourceNames = resourceNames
    }

    /// Whether the rule is cluster-scoped (has no namespace).
    public var isClusterScoped: Bool { namespace == nil }

    /// The rule as it goes into a Role or ClusterRole.
    public var policyRule: PolicyRule {
        PolicyRule(apiGroups: apiGroups, resources: resources, verbs: verbs, resourceNames: resourceNames)
    }
}
