import AirlockAPI
import KubeCore

/// One RBAC rule as reviewers see it: where, which verbs on which resources and names, and
/// what it makes possible (``AccessRisk``).
public struct AccessLine: Codable, Sendable, Hashable {
    /// Target namespace; nil for cluster-wide.
    public var namespace: String?
    /// API groups (`""` is the core group).
    public var apiGroups: [String]
    public var resources: [String]
    public var verbs: [String]
    /// Object names the rule is limited to; nil means every object.
    public var resourceNames: [String]?
    /// Non-resource URLs (`/healthz`), from a ClusterRole's rules.
    public var nonResourceURLs: [String]?
    /// What the rule makes possible, most alarming first.
    public var risks: [AccessRisk]

    public init(
        namespace: String?, apiGroups: [String], resources: [String], verbs: [String],
        resourceNames: [String]? = nil, nonResourceURLs: [String]? = nil
    ) {
        self.namespace = namespace
        self.apiGroups = apiGroups
        self.resources = resources
        self.verbs = verbs
        self.resourceNames = resourceNames?.isEmpty == true ? nil : resourceNames
        self.nonResourceURLs = nonResourceURLs?.isEmpty == true ? nil : nonResourceURLs
        self.risks = AccessRisk.of(
            apiGroups: apiGroups, resources: resources, verbs: verbs, clusterWide: namespace == nil)
    }

    /// A rule of `spec.permissions`.
    public init(rule: PermissionRule) {
        self.init(
            namespace: rule.namespace, apiGroups: rule.apiGroups, resources: rule.resources, verbs: rule.verbs,
            resourceNames: rule.resourceNames)
    }

    /// A rule of a role, as bound in `namespace` (nil: cluster-wide).
    public init(rule: PolicyRule, namespace: String?) {
        self.init(
            namespace: namespace, apiGroups: rule.apiGroups ?? [], resources: rule.resources ?? [], verbs: rule.verbs,
            resourceNames: rule.resourceNames, nonResourceURLs: rule.nonResourceURLs)
    }

    /// Resources qualified by their group the way `kubectl` spells them: `pods`,
    /// `deployments.apps`, `*.*` for every group.
    public var qualifiedResources: [String] {
        let groups = apiGroups.isEmpty ? [""] : apiGroups
        var out: [String] = []
        for group in groups {
            for resource in resources {
                let name = group.isEmpty ? resource : "\(resource).\(group)"
                if !out.contains(name) { out.append(name) }
            }
        }
        return out + (nonResourceURLs ?? [])
    }
}
