import AirlockAPI

/// One indivisible piece of what a request asks for: one verb on one resource in one target
/// namespace (or cluster-wide), or the roleRef as a whole.
///
/// Policies are matched per item, not per request: an AutoApprove policy only covers the items
/// it lists, so a request is auto-approved only when every item is covered; a Deny or
/// RequireApproval policy applies as soon as it covers any item. Adding harmless access to a
/// request therefore never slips it past a stricter policy.
struct AccessItem: Hashable, Sendable {
    enum What: Hashable, Sendable {
        /// `verb` on `resource` (spelled as in `PolicyMatch.resources`: `pods`, `deployments.apps`,
        /// `deployments.apps/scale`).
        case permission(index: Int, resource: String, verb: String)
        case roleRef(TargetRoleRef)
    }

    var what: What
    /// Target namespace; nil for cluster-wide access.
    var namespace: String?

    var isClusterScoped: Bool { namespace == nil }

    /// `permissions[2] (delete pods in namespace prod)`, `roleRef (ClusterRole view cluster-wide)`.
    var description: String {
        let scope = namespace.map { "in namespace \($0)" } ?? "cluster-wide"
        switch what {
        case .permission(let index, let resource, let verb):
            return "permissions[\(index)] (\(verb) \(resource) \(scope))"
        case .roleRef(let ref):
            return "roleRef (\(ref.kind.rawValue) \(ref.name) \(scope))"
        }
    }

    /// Every item of a spec, in order, each once (the first rule that asks for it names it).
    static func items(of spec: ActionRequestSpec) -> [AccessItem] {
        var items: [AccessItem] = []
        var seen: Set<Key> = []
        for (index, rule) in (spec.permissions ?? []).enumerated() {
            for group in rule.apiGroups {
                for resource in rule.resources {
                    let key = resourceKey(resource: resource, group: group)
                    for verb in rule.verbs
                    where seen.insert(Key(namespace: rule.namespace, resource: key, verb: verb))
                        .inserted
                    {
                        items.append(
                            AccessItem(
                                what: .permission(index: index, resource: key, verb: verb), namespace: rule.namespace))
                    }
                }
            }
        }
        if let ref = spec.roleRef {
            items.append(AccessItem(what: .roleRef(ref), namespace: ref.namespace))
        }
        return items
    }

    /// `resource` in the core group, `resource.group` otherwise, with the subresource last:
    /// `pods/exec`, `deployments.apps/scale`.
    static func resourceKey(resource: String, group: String) -> String {
        guard !group.isEmpty else { return resource }
        if let slash = resource.firstIndex(of: "/") {
            return "\(resource[..<slash]).\(group)\(resource[slash...])"
        }
        return "\(resource).\(group)"
    }

    private struct Key: Hashable {
        var namespace: String?
        var resource: String
        var verb: String
    }
}
