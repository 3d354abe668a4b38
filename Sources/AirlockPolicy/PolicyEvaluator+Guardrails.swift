import AirlockAPI
import KubeCore

extension PolicyEvaluator {
    /// A guardrail that does not hold: the reason and a sentence naming the rule at fault.
    typealias Violation = (reason: DenyReason, message: String)

    /// The first built-in guardrail the request breaks, in this order: the requester, the
    /// shape of the request, the roleRef, each rule it would grant (its permissions, then the
    /// rules of its role snapshot), the duration. Nil when every guardrail holds. Policies are
    /// not consulted: guardrails hold whatever they say.
    func guardrailViolation(in spec: ActionRequestSpec, role: RoleSnapshot?) -> Violation? {
        guard let requester = spec.requester, !requester.username.isEmpty else {
            return (
                .missingRequester,
                "spec.requester is missing: the Airlock admission webhook did not stamp this request"
            )
        }
        let permissions = spec.permissions ?? []
        if permissions.isEmpty && spec.roleRef == nil {
            return (.emptyRequest, "the request asks for nothing: give spec.permissions, spec.roleRef or both")
        }
        for (index, rule) in permissions.enumerated() {
            if let violation = shapeViolation(in: rule, label: "permissions[\(index)]") { return violation }
        }
        if let ref = spec.roleRef {
            if let violation = violation(in: ref) { return violation }
            guard let role else {
                return (.invalidRoleRef, "roleRef (\(ref.kind.rawValue) \(ref.name)): its rules are not known yet")
            }
            if role.rules.isEmpty {
                return (.invalidRoleRef, "roleRef (\(ref.kind.rawValue) \(ref.name)) grants nothing: it has no rules")
            }
        }
        for rule in AccessRule.rules(of: spec, role: role) {
            if let violation = violation(in: rule) { return violation }
        }
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

    /// A permission rule that is malformed (what the admission webhook also refuses).
    private func shapeViolation(in rule: PermissionRule, label: String) -> Violation? {
        if rule.apiGroups.isEmpty || rule.resources.isEmpty || rule.verbs.isEmpty {
            return (.invalidRule, "\(label) needs at least one apiGroup, one resource and one verb")
        }
        if rule.verbs.contains("") { return (.invalidRule, "\(label) has an empty verb") }
        if rule.resources.contains("") { return (.invalidRule, "\(label) has an empty resource") }
        if rule.namespace == "" {
            return (.invalidRule, "\(label) has an empty namespace; omit namespace for cluster-wide access")
        }
        return nil
    }

    /// The access one rule gives, judged.
    private func violation(in access: AccessRule) -> Violation? {
        let label = access.origin
        if let url = access.rule.nonResourceURLs?.first {
            return (.nonResourceURLs, "\(label) grants the non-resource URL \(url); such rules are never granted")
        }
        for (field, values) in [
            ("verbs", access.verbs), ("resources", access.resources), ("apiGroups", access.apiGroups),
        ] {
            if let value = values.first(where: { $0.contains("*") }) {
                return (
                    .wildcard,
                    "\(label) uses the wildcard \"\(value)\" in \(field); ask for the exact \(field) needed"
                )
            }
        }
        for verb in access.verbs {
            if let why = Self.escalationVerbs[verb.lowercased()] {
                return (.escalationVerb, "\(label) asks for the verb \(verb), which \(why)")
            }
        }
        if let group = access.apiGroups.first(where: Self.isAirlockGroup) {
            return (
                .airlockResources,
                "\(label) targets the API group \(group): Airlock's own objects are never granted"
            )
        }
        if let minting = Self.credentialMinting(in: access) {
            return (.tokenMinting, "\(label) asks to \(minting), which mints credentials for other identities")
        }
        if let write = Self.persistentWrite(in: access) {
            return (
                .persistentAccess,
                "\(label) asks to \(write), which would outlive the grant; change RBAC, webhooks and API"
                    + " extensions through review of the objects themselves"
            )
        }
        if !access.resourceNames.isEmpty,
            let verb = access.verbs.first(where: { ["create", "deletecollection"].contains($0.lowercased()) })
        {
            return (
                .resourceNamesIgnored,
                "\(label) limits \(verb) to resourceNames, which RBAC ignores for \(verb): it would allow \(verb)"
                    + " on every object of \(access.resources.joined(separator: ", ")); drop resourceNames or the verb"
            )
        }
        if let reach = controllerNamespaceReach(of: access) {
            return (.controllerNamespace, "\(label) \(reach)")
        }
        return nil
    }

    /// How the rule reaches the controller's namespace, if it does.
    private func controllerNamespaceReach(of access: AccessRule) -> String? {
        let home = configuration.controllerNamespace
        if access.namespace == home { return "targets namespace \(home), where the Airlock controller runs" }
        for group in access.apiGroups {
            for resource in access.resources {
                let key = AccessItem.resourceKey(resource: resource, group: group)
                if access.isClusterScoped && !ResourceScopes.isClusterScoped(resource: resource, group: group) {
                    return "asks for \(key) cluster-wide, which also reaches namespace \(home), where the Airlock"
                        + " controller runs; ask for it in the namespaces you need"
                }
                let writes = access.verbs.contains { ["delete", "update", "patch"].contains($0.lowercased()) }
                if group.isEmpty, resource.lowercased().hasPrefix("namespaces"), writes,
                    access.resourceNames.isEmpty || access.resourceNames.contains(home)
                {
                    return "may change or delete namespace \(home), where the Airlock controller runs; name the"
                        + " namespaces in resourceNames"
                }
            }
        }
        return nil
    }

    private func violation(in ref: TargetRoleRef) -> Violation? {
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

    /// Verbs that let a grantee give itself (or others) more than it was granted.
    static let escalationVerbs: [String: String] = [
        "escalate": "lets the grantee write roles with permissions it does not hold",
        "bind": "lets the grantee bind roles it does not hold",
        "impersonate": "lets the grantee act as any other user, group or service account",
    ]

    static func isAirlockGroup(_ group: String) -> Bool {
        let group = group.lowercased()
        return group == AirlockConstants.group || group.hasSuffix("." + AirlockConstants.group)
    }

    /// Kinds whose objects, once written, keep acting after the grant ends: RBAC, admission
    /// control, and API extensions (which can route or convert every request of a kind).
    static let persistentResources: [String: Set<String>] = [
        "rbac.authorization.k8s.io": ["roles", "rolebindings", "clusterroles", "clusterrolebindings"],
        "admissionregistration.k8s.io": [
            "mutatingwebhookconfigurations", "validatingwebhookconfigurations", "validatingadmissionpolicies",
            "validatingadmissionpolicybindings", "mutatingadmissionpolicies", "mutatingadmissionpolicybindings",
        ],
        "apiregistration.k8s.io": ["apiservices"],
        "apiextensions.k8s.io": ["customresourcedefinitions"],
    ]
    static let writeVerbs: Set<String> = ["create", "update", "patch"]

    /// `verb resource.group` when the rule writes persistent kinds, else nil.
    static func persistentWrite(in access: AccessRule) -> String? {
        guard let verb = access.verbs.map({ $0.lowercased() }).first(where: writeVerbs.contains) else { return nil }
        for group in access.apiGroups {
            guard let kinds = persistentResources[group.lowercased()] else { continue }
            if let resource = access.resources.first(where: {
                kinds.contains(String($0.lowercased().split(separator: "/").first ?? ""))
            }) {
                return "\(verb) \(resource).\(group)"
            }
        }
        return nil
    }

    /// What in the rule mints credentials for another identity, if anything: a ServiceAccount
    /// token, an approved certificate signing request, or a signature by a signer.
    static func credentialMinting(in access: AccessRule) -> String? {
        let verbs = Set(access.verbs.map { $0.lowercased() })
        let resources = Set(access.resources.map { $0.lowercased() })
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
