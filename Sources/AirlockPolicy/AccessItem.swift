import AirlockAPI

/// One indivisible piece of the access a request would grant: one verb on one resource in one
/// target namespace (or cluster-wide), from a permission rule or from the rules of the role
/// its roleRef names.
///
/// Policies are matched per item, not per request: an AutoApprove policy only covers the items
/// it lists, so a request is auto-approved only when every item is covered; a Deny or
/// RequireApproval policy applies as soon as it covers any item. Adding harmless access to a
/// request therefore never slips it past a stricter policy, and a roleRef is matched by what
/// its role grants, like the same rules asked for directly.
struct AccessItem: Hashable, Sendable {
    /// `verb` on `resource` (spelled as in `PolicyMatch.resources`: `pods`, `deployments.apps`,
    /// `deployments.apps/scale`).
    var resource: String
    var verb: String
    /// The rule's API group and plain resource (for classification).
    var group: String
    var plainResource: String
    /// Target namespace; nil for cluster-wide access.
    var namespace: String?
    /// Where the item comes from (`permissions[2]`, `roleRef (ClusterRole view) rule 3`).
    var origin: String

    var isClusterScoped: Bool { namespace == nil }

    /// The class of escalation the item is, if any.
    var escalation: EscalationClass? { EscalationClass.of(verb: verb, resource: plainResource, group: group) }

    /// `permissions[2] (delete pods in namespace prod)`.
    var description: String {
        let scope = namespace.map { "in namespace \($0)" } ?? "cluster-wide"
        return "\(origin) (\(verb) \(resource) \(scope))"
    }

    /// Every item of the rules, in order, each once (the first rule that asks for it names it).
    static func items(of rules: [AccessRule]) -> [AccessItem] {
        var items: [AccessItem] = []
        var seen: Set<Key> = []
        for rule in rules {
            for group in rule.apiGroups {
                for resource in rule.resources {
                    let key = resourceKey(resource: resource, group: group)
                    for verb in rule.verbs
                    where seen.insert(Key(namespace: rule.namespace, resource: key, verb: verb)).inserted {
                        items.append(
                            AccessItem(
                                resource: key, verb: verb, group: group, plainResource: resource,
                                namespace: rule.namespace, origin: rule.origin))
                    }
                }
            }
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
