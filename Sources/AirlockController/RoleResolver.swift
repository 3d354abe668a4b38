import AirlockAPI
import KubeClient
import KubeCore

/// Reads the rules a `spec.roleRef` names, for its snapshot: a Role's rules, or a ClusterRole's
/// — for an aggregated ClusterRole, the rules of every ClusterRole its `aggregationRule`
/// selects, resolved recursively (the API server's own aggregation controller may not run, and
/// its result would be the same).
struct RoleResolver: Sendable {
    let client: KubernetesClient
    /// How deep aggregated roles may nest.
    static let maxDepth = 5

    func resolve(_ ref: TargetRoleRef) async throws -> RoleResolution {
        let label = "\(ref.kind.rawValue) \(ref.namespace.map { "\($0)/" } ?? "")\(ref.name)"
        let rules: [PolicyRule]
        do {
            switch ref.kind {
            case .role:
                rules = try await client.get(Role.self, name: ref.name, namespace: ref.namespace).rules ?? []
            case .clusterRole:
                var visited: Set<String> = []
                rules = try await clusterRoleRules(ref.name, depth: 0, visited: &visited)
            }
        } catch let error as KubernetesError where error.isNotFound {
            return .unavailable("roleRef (\(ref.kind.rawValue) \(ref.name)): \(label) does not exist")
        }
        var unique: [PolicyRule] = []
        for rule in rules where !unique.contains(rule) { unique.append(rule) }
        guard unique.count <= RoleSnapshot.maxRules else {
            return .unavailable(
                "roleRef (\(ref.kind.rawValue) \(ref.name)): \(label) has \(unique.count) rules; at most"
                    + " \(RoleSnapshot.maxRules) can be granted")
        }
        let namespace = ref.kind == .role ? ref.namespace : nil
        return .resolved(RoleSnapshot(kind: ref.kind, name: ref.name, namespace: namespace, rules: unique))
    }

    private func clusterRoleRules(_ name: String, depth: Int, visited: inout Set<String>) async throws -> [PolicyRule] {
        guard visited.insert(name).inserted else { return [] }
        let role = try await client.get(ClusterRole.self, name: name)
        guard let selectors = role.aggregationRule?.clusterRoleSelectors, !selectors.isEmpty,
            depth < Self.maxDepth
        else { return role.rules ?? [] }
        var members: [ClusterRole] = []
        for selector in selectors {
            guard let query = selector.queryString, !query.isEmpty else { continue }
            members += try await client.listAll(ClusterRole.self, options: ListOptions(labelSelector: query)).items
        }
        var rules: [PolicyRule] = []
        var seen: Set<String> = []
        for member in members.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }) {
            let memberName = member.metadata.name ?? ""
            guard memberName != name, seen.insert(memberName).inserted else { continue }
            if member.aggregationRule?.clusterRoleSelectors?.isEmpty == false {
                rules += try await clusterRoleRules(memberName, depth: depth + 1, visited: &visited)
            } else {
                rules += member.rules ?? []
            }
        }
        return rules.isEmpty ? (role.rules ?? []) : rules
    }
}
