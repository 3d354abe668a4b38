/// Why an ActionRequest was denied: a stable, CamelCase code an agent can branch on
/// (it is `status.decision.reason` when the outcome is Deny).
///
/// Guardrail reasons hold whatever ApprovalPolicies say; the others come from policies.
public enum DenyReason: String, Sendable, Hashable, Codable, CaseIterable {
    // MARK: Guardrails

    /// `spec.requester` is missing: the admission webhook did not stamp the request.
    case missingRequester = "MissingRequester"
    /// Neither `spec.permissions` nor `spec.roleRef` is given.
    case emptyRequest = "EmptyRequest"
    /// A permission rule is malformed (an empty list, verb, resource or namespace).
    case invalidRule = "InvalidRule"
    /// `spec.roleRef` is malformed (no name, or a Role without a namespace), or its role does
    /// not exist, grants nothing or has more rules than can be snapshotted.
    case invalidRoleRef = "InvalidRoleRef"
    /// `*` (or a pattern containing it) in verbs, resources or apiGroups.
    case wildcard = "Wildcard"
    /// The `escalate`, `bind` or `impersonate` verb.
    case escalationVerb = "EscalationVerb"
    /// A roleRef to the `cluster-admin` ClusterRole.
    case clusterAdmin = "ClusterAdmin"
    /// A roleRef to a role whose name starts with `system:` (the API server's own roles).
    case systemRole = "SystemRole"
    /// Anything in the `airlock.dev` API group (Airlock's own objects).
    case airlockResources = "AirlockResources"
    /// Access that reaches the namespace the controller runs in: a rule there, or a
    /// cluster-wide rule on a namespaced resource (it reaches every namespace).
    case controllerNamespace = "ControllerNamespace"
    /// `resourceNames` with `create` or `deletecollection`, which RBAC cannot limit by name:
    /// the rule would grant the verb on every object.
    case resourceNamesIgnored = "ResourceNamesIgnored"
    /// A role rule on non-resource URLs (`/metrics`, `/debug/*`): never granted.
    case nonResourceURLs = "NonResourceURLs"
    /// Minting credentials for other identities: `create` on `serviceaccounts/token`,
    /// approving certificate signing requests, or signing with a signer.
    case tokenMinting = "TokenMinting"
    /// Writing RBAC or admission webhooks: what the grantee writes there would outlive the
    /// grant (a RoleBinding for a long-lived identity, a webhook seeing every request).
    case persistentAccess = "PersistentAccess"
    /// `spec.duration` is zero or negative.
    case invalidDuration = "InvalidDuration"
    /// `spec.duration` is longer than the controller's hard cap.
    case durationAboveHardCap = "DurationAboveHardCap"

    // MARK: Policies

    /// `spec.duration` is longer than the matching policies (or the default) allow.
    case durationAbovePolicyMaximum = "DurationAbovePolicyMaximum"
    /// Cluster-scoped access without a matching, allowing policy that sets `match.clusterScope: true`.
    case clusterScopeNotAllowed = "ClusterScopeNotAllowed"
    /// Access that runs code or mints credentials as other identities (see
    /// ``AirlockAPI/EscalationClass``) without a RequireApproval policy that allows it.
    case escalationNotAllowed = "EscalationNotAllowed"
    /// A matching ApprovalPolicy decides Deny.
    case deniedByPolicy = "DeniedByPolicy"
    /// No ApprovalPolicy matches (part of) the request and the controller's default is Deny.
    case noMatchingPolicy = "NoMatchingPolicy"

    /// Whether the reason is a built-in guardrail (no policy can change it).
    public var isGuardrail: Bool {
        switch self {
        case .durationAbovePolicyMaximum, .clusterScopeNotAllowed, .deniedByPolicy, .noMatchingPolicy,
            .escalationNotAllowed:
            false
        default: true
        }
    }
}
