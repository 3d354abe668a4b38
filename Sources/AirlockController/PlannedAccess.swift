import AirlockChat
import Foundation
import KubeCore

/// An object of a grant plan, compared by the access it gives with one found under its name.
///
/// A grant object's name follows from the request's uid, which the requester learns as soon as
/// its create returns, and labels are anyone's to copy. So an object that already exists —
/// left by a crashed attempt, or planted — is used only when it gives exactly the planned
/// access: the same rules, the same subjects and role. What it is called or labelled decides
/// nothing. (The API server drops empty lists and a ServiceAccount subject's empty `apiGroup`,
/// so both are read as absent.)
protocol PlannedAccess: KubeResource {
    /// What `found` grants that differs from `self`; nil when it gives the same access.
    func accessDifference(from found: Self) -> String?
}

extension ServiceAccount: PlannedAccess {
    /// None: an account holds no access of its own; its bindings are compared.
    func accessDifference(from found: ServiceAccount) -> String? { nil }
}

extension Role: PlannedAccess {
    func accessDifference(from found: Role) -> String? {
        PolicyRule.difference(planned: rules, found: found.rules)
    }
}

extension ClusterRole: PlannedAccess {
    func accessDifference(from found: ClusterRole) -> String? {
        if found.aggregationRule != nil { return "an aggregation rule" }
        return PolicyRule.difference(planned: rules, found: found.rules)
    }
}

extension RoleBinding: PlannedAccess {
    func accessDifference(from found: RoleBinding) -> String? {
        RBACSubject.difference(planned: (subjects, roleRef), found: (found.subjects, found.roleRef))
    }
}

extension ClusterRoleBinding: PlannedAccess {
    func accessDifference(from found: ClusterRoleBinding) -> String? {
        RBACSubject.difference(planned: (subjects, roleRef), found: (found.subjects, found.roleRef))
    }
}

extension PolicyRule {
    /// The rule with absent lists as empty ones.
    fileprivate var normalized: PolicyRule {
        PolicyRule(
            apiGroups: apiGroups ?? [], resources: resources ?? [], verbs: verbs,
            resourceNames: resourceNames ?? [], nonResourceURLs: nonResourceURLs ?? [])
    }

    fileprivate static func difference(planned: [PolicyRule]?, found: [PolicyRule]?) -> String? {
        let planned = (planned ?? []).map(\.normalized), found = (found ?? []).map(\.normalized)
        return planned == found ? nil : "\(found.count) other rule(s)"
    }
}

extension RBACSubject {
    /// The subject with a ServiceAccount's absent `apiGroup` as the empty one.
    fileprivate var normalized: RBACSubject {
        RBACSubject(kind: kind, name: name, namespace: namespace, apiGroup: apiGroup ?? "")
    }

    fileprivate static func difference(
        planned: ([RBACSubject]?, RoleRef), found: ([RBACSubject]?, RoleRef)
    ) -> String? {
        if planned.1 != found.1 { return "role \(found.1.kind) \(found.1.name)" }
        let subjects = (found.0 ?? []).map(\.normalized)
        guard (planned.0 ?? []).map(\.normalized) == subjects else {
            return "subjects \(subjects.map { "\($0.kind) \($0.name)" }.joined(separator: ", "))"
        }
        return nil
    }
}

/// A ServiceAccount token's subject, `system:serviceaccount:<namespace>:<name>`, read from
/// its claims without checking the signature: a token whose claims lie is not valid anywhere,
/// and a valid one authenticates as exactly its subject.
enum ServiceAccountTokenSubject {
    private struct Claims: Decodable { var sub: String? }

    static func of(_ token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]) else { return nil }
        return (try? JSONDecoder().decode(Claims.self, from: payload))?.sub
    }
}
