import AirlockAPI

/// Access written back in the `--allow` and `--role` grammars, for people and listings:
/// `delete pods/db-0 -n prod`, `ClusterRole/view -n prod`.
public enum AccessText {
    /// One rule as an `--allow` string.
    public static func describe(_ rule: PermissionRule) -> String {
        var targets: [String] = []
        for group in rule.apiGroups {
            for resource in rule.resources {
                let parts = resource.split(separator: "/", maxSplits: 1).map(String.init)
                let base = group.isEmpty ? parts[0] : "\(parts[0]).\(group)"
                let subresource = parts.count > 1 ? "/\(parts[1])" : ""
                if let names = rule.resourceNames, !names.isEmpty {
                    for name in names { targets.append("\(base)/\(name)\(subresource)") }
                } else {
                    targets.append(base + subresource)
                }
            }
        }
        let scope = rule.namespace.map { " -n \($0)" } ?? (isKnownClusterScoped(rule) ? "" : " -A")
        return "\(rule.verbs.joined(separator: ",")) \(targets.joined(separator: ","))\(scope)"
    }

    /// A role reference as a `--role` string.
    public static func describe(_ role: TargetRoleRef) -> String {
        "\(role.kind.rawValue)/\(role.name)" + (role.namespace.map { " -n \($0)" } ?? " -A")
    }

    /// Everything a request asks for, one line per rule or role.
    public static func describe(_ spec: ActionRequestSpec) -> [String] {
        (spec.permissions ?? []).map { describe($0) } + (spec.roleRef.map { [describe($0)] } ?? [])
    }

    private static func isKnownClusterScoped(_ rule: PermissionRule) -> Bool {
        rule.resources.allSatisfy { resource in
            let base = String(resource.split(separator: "/").first ?? "")
            guard let entry = KnownResources.entries[base] else { return false }
            return entry.scope == .cluster && rule.apiGroups.allSatisfy { $0 == entry.group }
        }
    }
}
