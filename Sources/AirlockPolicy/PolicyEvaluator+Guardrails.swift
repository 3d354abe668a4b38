import AirlockAPI
import KubeCore

extension PolicyEvaluator {
    /// Verbs that let a grantee give itself (or others) more than it was granted.
    static let escalationVerbs: [String: String] = [
        "escalate": "lets the grantee write roles with permissions it does not hold",
        "bind": "lets the grantee bind roles it does not hold",
        "impersonate": "lets the grantee act as any other user, group or service account",
    ]

    /// The first built-in guardrail `spec` breaks, in this order: the requester, the shape of
    /// the request, each permission rule in turn, the roleRef, the duration. Nil when every
    /// guardrail holds. Policies are not consulted: guardrails hold whatever they say.
    func guardrailViolation(in spec: ActionRequestSpec) -> (reason: DenyReason, message: String)? {
        guard let requester = spec.requester, !requester.username.isEmpty else {
            return (
                .missingRequester,
                "spec.requester is missing: the Airlock admission webhook did not stamp this request"
            )
        }
        let rules = spec.permissions ?? []
        if rules.isEmpty && spec.roleRef == nil {
            return (.emptyRequest, "the request asks for nothing: give spec.permissions, spec.roleRef or both")
        }
        for (index, rule) in rules.enumerated() {
            if let violation = violation(in: rule, label: "permissions[\(index)]") { return violation }
        }
        if let ref = spec.roleRef, let violation = violation(in: ref) { return violation }
        if spec.duration.seconds <= 0 {
            return (.invalidDuration, "requested duration \(spec.duration) is not positive")
        }
        if spec.duration > configuration.hardCap {
            return (
                .durationAboveHardCap,
                "requested duration \(spec.duration) exceeds the hard cap \(configuration.hardCap) that no policy can"
                    + " lift"
            )
        }
        return nil
    }

    private func violation(in rule: PermissionRule, label: String) -> (reason: DenyReason, message: String)? {
        if rule.apiGroups.isEmpty || rule.resources.isEmpty || rule.verbs.isEmpty {
            return (.invalidRule, "\(label) needs at least one apiGroup, one resource and one verb")
        }
        if rule.verbs.contains("") { return (.invalidRule, "\(label) has an empty verb") }
        if rule.resources.contains("") { return (.invalidRule, "\(label) has an empty resource") }
        if rule.namespace == "" {
            return (.invalidRule, "\(label) has an empty namespace; omit namespace for cluster-wide access")
        }
        for (field, values) in [("verbs", rule.verbs), ("resources", rule.resources), ("apiGroups", rule.apiGroups)] {
            if let value = values.first(where: { $0.contains("*") }) {
                return (
                    .wildcard,
                    "\(label) uses the wildcard \"\(value)\" in \(field); ask for the exact \(field) needed"
                )
            }
        }
        for verb in rule.verbs {
            if let why = Self.escalationVerbs[verb.lowercased()] {
                return (.escalationVerb, "\(label) asks for the verb \(verb), which \(why)")
            }
        }
        if let group = rule.apiGroups.first(where: Self.isAirlockGroup) {
            return (
                .airlockResources,
                "\(label) targets the API group \(group): Airlock's own objects are never granted"
            )
        }
        if let minting = Self.credentialMinting(in: rule) {
            return (.tokenMinting, "\(label) asks to \(minting), which mints credentials for other identities")
        }
        if let write = Self.persistentWrite(in: rule) {
            return (
                .persistentAccess,
                "\(label) asks to \(write), which would outlive the grant; change RBAC and webhooks through review"
                    + " of the objects themselves"
            )
        }
        if rule.namespace == configuration.controllerNamespace {
            return (
                .controllerNamespace,
                "\(label) targets namespace \(configuration.controllerNamespace), where the Airlock controller runs"
            )
        }
        return nil
    }

    private func violation(in ref: TargetRoleRef) -> (reason: DenyReason, message: String)? {
        let label = "roleRef (\(ref.kind.rawValue) \(ref.name))"
        if ref.name.isEmpty { return (.invalidRoleRef, "roleRef has no name") }
        if ref.namespace == "" {
            return (.invalidRoleRef, "\(label) has an empty namespace; omit it for a cluster-wide ClusterRole binding")
        }
        if ref.kind == .role && ref.namespace == nil {
            return (.invalidRoleRef, "\(label) is a Role and needs the namespace it lives in")
        }
        if ref.kind == .clusterRole && ref.name == "cluster-admin" {
            return (.clusterAdmin, "\(label): binding cluster-admin is never allowed")
        }
        if ref.name.lowercased().hasPrefix("system:") {
            return (.systemRole, "\(label): roles named system:* belong to Kubernetes itself and are never bound")
        }
        if ref.namespace == configuration.controllerNamespace {
            return (
                .controllerNamespace,
                "\(label) targets namespace \(configuration.controllerNamespace), where the Airlock controller runs"
            )
        }
        return nil
    }

    static func isAirlockGroup(_ group: String) -> Bool {
        let group = group.lowercased()
        return group == AirlockConstants.group || group.hasSuffix("." + AirlockConstants.group)
    }

    /// What in `rule` mints credentials for another identity, if anything: a ServiceAccount
    /// token, an approved certificate signing request, or a signature by a signer.
    /// Kinds whose objects, once written, keep acting after the grant ends.
    static let persistentResources: [String: Set<String>] = [
        "rbac.authorization.k8s.io": ["roles", "rolebindings", "clusterroles", "clusterrolebindings"],
        "admissionregistration.k8s.io": ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"],
    ]
    static let writeVerbs: Set<String> = ["create", "update", "patch"]

    /// `verb resource` when the rule writes RBAC or admission webhooks, else nil.
    static func persistentWrite(in rule: PermissionRule) -> String? {
        let verbs = rule.verbs.map { $0.lowercased() }.filter(writeVerbs.contains)
        guard let verb = verbs.first else { return nil }
        for group in rule.apiGroups {
            guard let kinds = persistentResources[group.lowercased()] else { continue }
            if let resource = rule.resources.first(where: { kinds.contains($0.lowercased()) }) {
                return "\(verb) \(resource).\(group)"
            }
        }
        return nil
    }

    static func credentialMinting(in rule: PermissionRule) -> String? {
        let verbs = Set(rule.verbs.map { $0.lowercased() })
        let resources = Set(rule.resources.map { $0.lowercased() })
        if resources.contains("serviceaccounts/token"), verbs.contains("create") {
            return "create serviceaccounts/token"
        }
        if resources.contains("certificatesigningrequests/approval"),
            let verb = verbs.first(where: { $0 == "update" || $0 == "patch" })
        {
            return "\(verb) certificatesigningrequests/approval"
        }
        if resources.contains("signers"), let verb = verbs.first(where: { $0 == "approve" || $0 == "sign" }) {
            return "\(verb) signers"
        }
        return nil
    }
}
