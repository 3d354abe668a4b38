import AirlockAPI

/// The `--role` grammar: an existing Role or ClusterRole to be granted, and where.
///
/// ```
/// ROLE = KIND "/" NAME SCOPE
/// KIND = Role | ClusterRole                    (case-insensitive)
/// SCOPE = "-n" NS | "--namespace" NS | "--namespace=" NS   bind in that namespace
///       | "-A" | "--all-namespaces"                          ClusterRole only: cluster-wide
/// ```
///
/// The scope is part of the value (`--role 'ClusterRole/view -n prod'`): the command's own
/// `-n` says where the ActionRequest lives, never where access goes.
public enum RoleArgument {
    public static func parse(_ text: String) throws(CLIUsageError) -> TargetRoleRef {
        let quoted = "--role '\(text)'"
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let reference = words.first else {
            throw CLIUsageError("--role is empty: write KIND/NAME -n NAMESPACE, e.g. 'ClusterRole/view -n prod'")
        }
        let parts = reference.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else {
            throw CLIUsageError("\(quoted): write KIND/NAME, e.g. ClusterRole/view or Role/deployer")
        }
        let kind: TargetRoleRef.Kind
        switch parts[0].lowercased() {
        case "role": kind = .role
        case "clusterrole": kind = .clusterRole
        default: throw CLIUsageError("\(quoted): the kind is Role or ClusterRole, not \"\(parts[0])\"")
        }
        guard Names.isObjectName(parts[1]) else { throw CLIUsageError("\(quoted): \"\(parts[1])\" is not a role name") }
        var namespace: String?
        var clusterWide = false
        var index = 1
        while index < words.count {
            let word = words[index]
            if word == "-n" || word == "--namespace" {
                guard index + 1 < words.count else { throw CLIUsageError("\(quoted): \(word) needs a namespace") }
                namespace = words[index + 1]
                index += 2
                continue
            } else if word.hasPrefix("--namespace=") {
                namespace = String(word.dropFirst("--namespace=".count))
            } else if word == "-A" || word == "--all-namespaces" {
                clusterWide = true
            } else {
                throw CLIUsageError("\(quoted): unexpected \"\(word)\"; write KIND/NAME -n NAMESPACE")
            }
            index += 1
        }
        if let namespace, !Names.isDNSLabel(namespace) {
            throw CLIUsageError("\(quoted): \"\(namespace)\" is not a namespace name")
        }
        switch (kind, namespace, clusterWide) {
        case (_, .some, true):
            throw CLIUsageError("\(quoted): give either -n NAMESPACE or -A, not both")
        case (.role, nil, _):
            throw CLIUsageError("\(quoted): a Role lives in a namespace: add -n NAMESPACE inside the quotes")
        case (.clusterRole, nil, false):
            throw CLIUsageError(
                "\(quoted): say where to bind it: add -n NAMESPACE inside the quotes (or -A for cluster-wide)")
        default:
            return TargetRoleRef(kind: kind, name: parts[1], namespace: namespace)
        }
    }
}
