import AirlockAPI

extension EscalationClass {
    /// Resources whose writes run code as a ServiceAccount of the namespace, by API group.
    static let workloads: [String: Set<String>] = [
        "": ["pods", "replicationcontrollers"],
        "apps": ["deployments", "replicasets", "statefulsets", "daemonsets"],
        "batch": ["jobs", "cronjobs"],
    ]
    static let workloadVerbs: Set<String> = ["create", "update", "patch"]
    static let podSessions: Set<String> = ["pods/exec", "pods/attach", "pods/portforward", "pods/ephemeralcontainers"]

    /// The class of `verb` on `resource` (`pods`, `pods/exec`) of `group`, or nil for
    /// ordinary access.
    static func of(verb: String, resource: String, group: String) -> EscalationClass? {
        let verb = verb.lowercased(), resource = resource.lowercased(), group = group.lowercased()
        if group.isEmpty && podSessions.contains(resource) { return .podExec }
        if group.isEmpty && resource == "nodes/proxy" { return .nodeProxy }
        if group.isEmpty && resource == "secrets" && verb == "create" { return .secretCreation }
        if workloadVerbs.contains(verb), workloads[group]?.contains(resource) == true { return .workloadCreation }
        return nil
    }

    /// What the class lets a grantee do, for messages.
    var consequence: String {
        switch self {
        case .workloadCreation: "runs code as any ServiceAccount of the namespace, and keeps running after the grant"
        case .podExec: "runs commands inside other workloads, with their identities and secrets"
        case .nodeProxy: "reaches the kubelet API, which runs commands in any pod of the node"
        case .secretCreation: "can mint a token for any ServiceAccount of the namespace that outlives the grant"
        }
    }
}
