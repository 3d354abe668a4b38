import AirlockAPI
import KubeCore

/// One RBAC rule a request would grant, whichever way it was asked for: a rule of
/// `spec.permissions`, or a rule of the role `spec.roleRef` names (from its snapshot).
/// Guardrails and policies judge these, so the same access is judged the same however it is
/// spelled.
public struct AccessRule: Sendable, Hashable {
    /// Target namespace; nil for cluster-wide access.
    public var namespace: String?
    public var rule: PolicyRule
    /// Where the rule comes from, for messages: `permissions[2]`, `roleRef (ClusterRole admin) rule 4`.
    public var origin: String

    public init(namespace: String?, rule: PolicyRule, origin: String) {
        self.namespace = namespace
        self.rule = rule
        self.origin = origin
    }

    public var isClusterScoped: Bool { namespace == nil }
    var verbs: [String] { rule.verbs }
    var resources: [String] { rule.resources ?? [] }
    var apiGroups: [String] { rule.apiGroups ?? [] }
    var resourceNames: [String] { rule.resourceNames ?? [] }

    /// Every rule `spec` grants: its permissions, then the snapshot of its roleRef (bound where
    /// `spec.roleRef.namespace` says, or cluster-wide).
    public static func rules(of spec: ActionRequestSpec, role: RoleSnapshot?) -> [AccessRule] {
        var rules = (spec.permissions ?? []).enumerated().map { index, permission in
            AccessRule(namespace: permission.namespace, rule: permission.policyRule, origin: "permissions[\(index)]")
        }
        if let ref = spec.roleRef, let role {
            let label = "roleRef (\(ref.kind.rawValue) \(ref.name))"
            rules += role.rules.enumerated().map { index, rule in
                AccessRule(
                    namespace: ref.namespace, rule: rule,
                    origin: role.rules.count == 1 ? label : "\(label) rule \(index)")
            }
        }
        return rules
    }
}
