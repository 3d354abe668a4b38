import KubeCore

extension ActionRequest: AirlockResource {
    public static let singular = "actionrequest"
    public static let shortNames = ["areq"]
    public static let resourceDescription =
        "ActionRequest asks for privileged access for one action and a limited time: exact RBAC permissions or"
        + " an existing role, for a duration, with a reason. Airlock evaluates it against ApprovalPolicies and"
        + " built-in guardrails, collects reviews when policy requires them, creates the grants, and removes them"
        + " when the duration ends. Wait for access with `kubectl wait --for=condition=Granted`."
    public static let printerColumns = [
        PrinterColumn("Phase", .string, ".status.phase", "Where the request is in its life."),
        PrinterColumn("Requester", .string, ".spec.requester.username", "Who asked."),
        // A string, not a date: `date` columns render ages and show future times as <invalid>.
        PrinterColumn("Expires", .string, ".status.expiresAt", "When the grant ends."),
        .age,
        PrinterColumn("Duration", .string, ".spec.duration", "How long the access was asked for.", priority: 1),
        PrinterColumn("Reason", .string, ".spec.reason", "Why the access is needed.", priority: 1),
    ]
    public static var specSchema: Schema { ActionRequestSpec.schema }
    public static var statusSchema: Schema { ActionRequestStatus.schema }
}

extension ActionRequestSpec {
    /// Schema of `ActionRequest.spec`.
    public static var schema: Schema {
        .object(
            "What is asked: permissions and/or an existing role, for a duration, and why. Immutable after creation.",
            required: ["reason", "duration"],
            properties: [
                "reason": .string(
                    "Why the access is needed, in words a reviewer can judge. Shown in chat and kept in the audit"
                        + " trail.",
                    minLength: 1, maxLength: 2048),
                "ticket": .string("Optional ticket, incident or change reference (e.g. INC-1234).", maxLength: 256),
                "duration": .duration(
                    "How long the access should last once granted. Policies may cap it (status.decision.maxDuration)"
                        + " and a reviewer may approve less."),
                "permissions": .array(
                    "Exact RBAC rules asked for, each in one target namespace. Keep them to the one action: e.g."
                        + " verb delete on resource pods named db-0 in namespace prod. A rule without namespace is"
                        + " cluster-scoped and only allowed where a policy sets match.clusterScope: true.",
                    of: PermissionRule.schema, minItems: 1, maxItems: 32),
                "roleRef": TargetRoleRef.schema.described(
                    "An existing Role or ClusterRole to bind, instead of or in addition to permissions."),
                "credential": Schema.enumeration(
                    CredentialMode.self,
                    "Who receives the access. Ephemeral (default): a fresh ServiceAccount, deleted at the end; its"
                        + " short-lived token and a ready kubeconfig are handed over in the Secret named by"
                        + " status.credentialSecretName. Subject: the requester's own identity (or spec.subject)"
                        + " is bound directly."
                ).defaulting(to: .string(CredentialMode.ephemeral.rawValue)),
                "subject": subjectSchema,
                "requester": Identity.schema.described(
                    "Who asked. Stamped and signed by Airlock's admission webhook from the API server's"
                        + " authentication; whatever a client sends here is overwritten."),
            ]
        )
        .rule("self == oldSelf", message: "spec is immutable; create a new ActionRequest instead")
        .rule(
            "has(self.permissions) || has(self.roleRef)",
            message: "spec.permissions or spec.roleRef (or both) is required"
        )
        .rule(
            "!has(self.subject) || (has(self.credential) && self.credential == 'Subject')",
            message: "spec.subject applies only with credential: Subject")
    }

    /// Schema of `spec.subject` (an `RBACSubject` limited to Users and ServiceAccounts).
    static var subjectSchema: Schema {
        var kind = Schema.string("User or ServiceAccount.")
        kind.enumValues = ["User", "ServiceAccount"]
        return .object(
            "With credential: Subject, the requester's own User or ServiceAccount to bind (defaults to the"
                + " requester). It must be the requester's own identity.",
            required: ["kind", "name"],
            properties: [
                "kind": kind,
                "name": .string("Name of the User or ServiceAccount.", minLength: 1, maxLength: 253),
                "namespace": .namespace("Namespace of the ServiceAccount."),
                "apiGroup": .string(
                    "API group of the subject: rbac.authorization.k8s.io for a User, empty for a ServiceAccount.",
                    maxLength: 253),
            ]
        )
        .rule(
            "self.kind != 'ServiceAccount' || has(self.namespace)",
            message: "a ServiceAccount subject needs a namespace")
    }
}

extension PermissionRule {
    /// Schema of one `spec.permissions[]` entry.
    public static var schema: Schema {
        .object(
            "One RBAC rule in one target namespace (or cluster-wide without a namespace).",
            required: ["apiGroups", "resources", "verbs"],
            properties: [
                "namespace": .namespace(
                    "Target namespace the rule applies in. Omitted: the rule is cluster-scoped (a ClusterRole and"
                        + " ClusterRoleBinding), allowed only where a policy sets match.clusterScope: true."),
                "apiGroups": .array(
                    "API groups of the resources; \"\" is the core group (pods, secrets, ...).",
                    of: .string("An API group, or \"\" for the core group.", maxLength: 253),
                    minItems: 1, maxItems: 16),
                "resources": .strings(
                    "Resources, optionally with a subresource (pods, deployments, pods/exec, pods/log).",
                    itemDescription: "A resource, optionally with /subresource.", minItems: 1, maxItems: 16),
                "verbs": .strings(
                    "Verbs to allow (get, list, watch, create, update, patch, delete, ...). Wildcards and the"
                        + " escalate, bind and impersonate verbs are always denied.",
                    itemDescription: "A verb.", minItems: 1, maxItems: 16, maxLength: 64),
                "resourceNames": .strings(
                    "Names of the objects the rule is limited to (e.g. db-0). Omitted: every object of the"
                        + " resources.",
                    itemDescription: "An object name.", minItems: 1, maxItems: 32),
            ])
    }
}

extension TargetRoleRef {
    /// Schema of `spec.roleRef`.
    public static var schema: Schema {
        .object(
            "An existing Role or ClusterRole to bind.",
            required: ["kind", "name"],
            properties: [
                "kind": .enumeration(Kind.self, "Role or ClusterRole."),
                "name": .string("Name of the Role or ClusterRole.", minLength: 1, maxLength: 253),
                "namespace": .namespace(
                    "Namespace of the RoleBinding (and of the Role). Required for a Role; for a ClusterRole,"
                        + " omitted asks for a cluster-wide ClusterRoleBinding, which needs a policy with"
                        + " match.clusterScope: true."),
            ]
        )
        .rule("self.kind == 'ClusterRole' || has(self.namespace)", message: "a Role needs a namespace")
    }
}

extension Identity {
    /// Schema of a stamped identity (`spec.requester`, `spec.reviewer`).
    public static var schema: Schema {
        .object(
            "An authenticated identity as the API server saw it, stamped and signed by Airlock's admission"
                + " webhook.",
            required: ["username"],
            properties: [
                "username": .string("Kubernetes username.", maxLength: 1024),
                "uid": .string("Unique id of the user, when the authenticator provides one.", maxLength: 1024),
                "groups": .strings(
                    "Groups the user belongs to.", itemDescription: "A group name.", maxItems: 256,
                    maxLength: 1024),
                "signature": .string(
                    "Signature of the stamped identity, made with a key only the controller holds. An identity"
                        + " whose signature does not verify is not trusted.",
                    maxLength: 512),
            ])
    }
}
