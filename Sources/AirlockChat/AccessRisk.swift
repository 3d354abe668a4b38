/// Access that deserves a reviewer's second look, marked visibly on every channel. Ordered
/// from most to least alarming (the order cards list them in).
///
/// A mark describes what the access *can do*; whether it is allowed at all is decided by the
/// policy evaluation and its guardrails, not here.
public enum AccessRisk: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    /// `*` in verbs, resources or API groups: everything, including what exists later.
    case wildcard = "Wildcard"
    /// `escalate`, `bind`, `impersonate`, or minting tokens (`serviceaccounts/token`).
    case privilegeEscalation = "PrivilegeEscalation"
    /// `pods/exec`, `pods/attach`, `pods/portforward`, `pods/ephemeralcontainers`, `nodes/proxy`.
    case podExec = "PodExec"
    /// Creating or changing workloads (pods, deployments, jobs, ...).
    case workloadWrite = "WorkloadWrite"
    /// Creating Secrets (a ServiceAccount token Secret outlives the grant).
    case secretCreation = "SecretCreation"
    /// `delete` or `deletecollection`.
    case destructive = "Destructive"
    /// Reading Secrets.
    case secretRead = "SecretRead"
    /// A rule or binding with no namespace: every namespace, or cluster-scoped objects.
    case clusterWide = "ClusterWide"

    public static func < (lhs: AccessRisk, rhs: AccessRisk) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// A short label (`Destructive`, `Cluster-wide`).
    public var label: String {
        switch self {
        case .wildcard: "Wildcard"
        case .privilegeEscalation: "Privilege escalation"
        case .podExec: "Runs commands in workloads"
        case .workloadWrite: "Writes workloads"
        case .secretCreation: "Creates Secrets"
        case .destructive: "Destructive"
        case .secretRead: "Reads Secrets"
        case .clusterWide: "Cluster-wide"
        }
    }

    /// What the access lets the grantee do, in one sentence for reviewers.
    public var consequence: String {
        switch self {
        case .wildcard: "`*` grants every verb or resource, including ones added later"
        case .privilegeEscalation: "can grant itself more, act as others, or mint tokens"
        case .podExec: "runs commands inside other workloads, with their identities and secrets"
        case .workloadWrite: "its code runs as any ServiceAccount of the namespace and keeps running after the grant"
        case .secretCreation: "can mint ServiceAccount tokens that outlive the grant"
        case .destructive: "can delete objects"
        case .secretRead: "can read Secrets"
        case .clusterWide: "applies to every namespace or to cluster-scoped objects"
        }
    }

    /// What the access given by one rule can do.
    ///
    /// - Parameters:
    ///   - clusterWide: the rule has no namespace (a ClusterRole bound cluster-wide).
    public static func of(
        apiGroups: [String], resources: [String], verbs: [String], clusterWide: Bool
    ) -> [AccessRisk] {
        let verbs = Set(verbs.map { $0.lowercased() })
        let groups = apiGroups.map { $0.lowercased() }
        let resources = resources.map { $0.lowercased() }
        func has(_ verb: String) -> Bool { verbs.contains(verb) || verbs.contains("*") }
        func reaches(_ group: String, _ resource: String) -> Bool {
            (groups.contains(group) || groups.contains("*")) && resources.contains { matches($0, resource) }
        }
        var risks: Set<AccessRisk> = []
        if verbs.contains("*") || resources.contains("*") || groups.contains("*") { risks.insert(.wildcard) }
        if !verbs.isDisjoint(with: ["escalate", "bind", "impersonate"])
            || (has("create") && reaches("", "serviceaccounts/token"))
        {
            risks.insert(.privilegeEscalation)
        }
        if !verbs.isEmpty, Self.sessionResources.contains(where: { reaches("", $0) }) { risks.insert(.podExec) }
        if ["create", "update", "patch"].contains(where: has),
            Self.workloads.contains(where: { group, names in names.contains { reaches(group, $0) } })
        {
            risks.insert(.workloadWrite)
        }
        if has("create") && reaches("", "secrets") { risks.insert(.secretCreation) }
        if has("delete") || has("deletecollection") { risks.insert(.destructive) }
        if ["get", "list", "watch"].contains(where: has) && reaches("", "secrets") { risks.insert(.secretRead) }
        if clusterWide { risks.insert(.clusterWide) }
        return risks.sorted()
    }

    /// Resources whose writes run code as a ServiceAccount of the namespace, by API group.
    static let workloads: [String: [String]] = [
        "": ["pods", "replicationcontrollers"],
        "apps": ["deployments", "replicasets", "statefulsets", "daemonsets"],
        "batch": ["jobs", "cronjobs"],
    ]

    /// Subresources that open a session inside a workload or node (core group).
    static let sessionResources = [
        "pods/exec", "pods/attach", "pods/portforward", "pods/ephemeralcontainers", "nodes/proxy",
    ]

    /// Whether an RBAC resource pattern (`*`, `pods`, `pods/*`, `pods/exec`) covers `resource`.
    static func matches(_ pattern: String, _ resource: String) -> Bool {
        if pattern == "*" || pattern == resource { return true }
        if pattern.hasSuffix("/*") {
            let parent = pattern.dropLast(2)
            return resource.hasPrefix(parent + "/")
        }
        return false
    }
}
