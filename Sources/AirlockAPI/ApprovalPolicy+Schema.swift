import KubeCore

extension ApprovalPolicy: AirlockResource {
    public static let singular = "approvalpolicy"
    public static let shortNames = ["apol"]
    public static let resourceDescription =
        "ApprovalPolicy decides what happens to the ActionRequests it matches: AutoApprove, RequireApproval (by"
        + " distinct allowed reviewers) or Deny, with a maximum duration and where to ask for reviews. Several"
        + " matching policies combine to the most restrictive (Deny > RequireApproval > AutoApprove, the most"
        + " required approvals, the shortest maximum duration). Built-in guardrails hold whatever policies say."
    public static let printerColumns = [
        PrinterColumn("Decision", .string, ".spec.decision", "AutoApprove, RequireApproval or Deny."),
        PrinterColumn("Approvals", .integer, ".spec.approvals.required", "Distinct approvals required."),
        PrinterColumn("Max Duration", .string, ".spec.maxDuration", "The longest access the policy allows."),
        .age,
        PrinterColumn(
            "Pending Timeout", .string, ".spec.pendingTimeout", "How long a request may wait for reviews.",
            priority: 1),
    ]
    public static var specSchema: Schema { ApprovalPolicySpec.schema }
    public static var statusSchema: Schema { ApprovalPolicyStatus.schema }
}

extension ApprovalPolicySpec {
    /// Schema of `ApprovalPolicy.spec`.
    public static var schema: Schema {
        .object(
            "Which requests the policy matches and what happens to them.",
            required: ["match", "decision"],
            properties: [
                "match": PolicyMatch.schema,
                "decision": .enumeration(
                    DecisionOutcome.self,
                    "What happens to matching requests: AutoApprove, RequireApproval or Deny."),
                "approvals": ApprovalRequirement.schema,
                "maxDuration": .duration(
                    "The longest access the policy allows; a request asking for longer is denied (never shortened)."),
                "pendingTimeout": .duration(
                    "How long a matching request may wait for reviews before it expires unreviewed."),
                "notify": NotificationTargets.schema,
                "allowEscalation": .array(
                    "With decision RequireApproval: access that runs code or mints credentials as other identities"
                        + " which reviewers may grant under this policy (never auto-approved): WorkloadCreation"
                        + " (writing pods, deployments, jobs, ...), PodExec (pods/exec, attach, portforward,"
                        + " ephemeralcontainers), NodeProxy (nodes/proxy), SecretCreation (creating Secrets, which"
                        + " can be ServiceAccount tokens). Without it such access is denied.",
                    of: .enumeration(EscalationClass.self, "A class of escalation."), maxItems: 4),
            ]
        )
        .rule(
            "!has(self.allowEscalation) || self.decision == 'RequireApproval'",
            message: "spec.allowEscalation applies only to decision RequireApproval"
        )
        .rule(
            "!has(self.approvals) || self.decision == 'RequireApproval'",
            message: "spec.approvals applies only to decision RequireApproval")
    }
}

extension PolicyMatch {
    /// Schema of `ApprovalPolicy.spec.match`.
    public static var schema: Schema {
        .object(
            "Which access the policy applies to. A request is split into access items (one verb on one"
                + " resource in one namespace, from its permissions or from the rules of the role its roleRef"
                + " names); a policy covers an item when every criterion"
                + " given holds for it (an omitted or empty list matches anything). Deny and RequireApproval"
                + " policies apply to a request as soon as they cover any of its items; AutoApprove covers only"
                + " the items it matches, and items no policy covers get the controller's default. The most"
                + " restrictive result wins.",
            properties: [
                "requestNamespaces": .strings(
                    "Namespaces the ActionRequest itself is in.", itemDescription: "A namespace name.",
                    maxLength: 63),
                "requesters": RequesterMatch.schema,
                "targetNamespaces": .strings(
                    "Namespaces access is asked in (permissions[].namespace, roleRef.namespace).",
                    itemDescription: "A namespace name.", maxLength: 63),
                "resources": .strings(
                    "Resources asked for, as resource (core group) or resource.group, optionally with a"
                        + " subresource: pods, deployments.apps, pods/exec.",
                    itemDescription: "A resource."),
                "verbs": .strings(
                    "Verbs asked for.", itemDescription: "A verb.",
                    maxLength: 64),
                "clusterScope": .boolean(
                    "true: matches requests that ask for cluster-scoped access, and allows them; false: matches"
                        + " only namespaced requests; omitted: either, but cluster-scoped access is only granted"
                        + " when a matching policy sets true."),
            ])
    }
}

extension RequesterMatch {
    /// Schema of `ApprovalPolicy.spec.match.requesters`.
    public static var schema: Schema {
        .object(
            "Who may be the requester: any of the users, any member of the groups, or any of the service"
                + " accounts. Omitted: anyone.",
            properties: [
                "users": .strings("Usernames.", itemDescription: "A username.", maxLength: 1024),
                "groups": .strings("Group names.", itemDescription: "A group name.", maxLength: 1024),
                "serviceAccounts": .strings(
                    "Service accounts as namespace/name.", itemDescription: "A service account as namespace/name.",
                    pattern: "^[^/]+/[^/]+$"),
            ])
    }
}

extension ApprovalRequirement {
    /// Schema of `ApprovalPolicy.spec.approvals`.
    public static var schema: Schema {
        .object(
            "With decision RequireApproval: how many distinct reviewers must approve, and who may. Omitted: one"
                + " approval by anyone RBAC allows to approve. The requester and the grantee never count.",
            properties: [
                "required": Schema.integer("Distinct approvals needed.", minimum: 1, maximum: 10)
                    .defaulting(to: 1),
                "reviewers": ReviewerSet.schema,
            ])
    }
}

extension ReviewerSet {
    /// Schema of `ApprovalPolicy.spec.approvals.reviewers`.
    public static var schema: Schema {
        .object(
            "Who may approve: any of the users or any member of the groups (who also need RBAC verb approve on"
                + " actionrequests.airlock.dev). Omitted: anyone RBAC allows.",
            properties: [
                "users": .strings("Usernames.", itemDescription: "A username.", maxLength: 1024),
                "groups": .strings("Group names.", itemDescription: "A group name.", maxLength: 1024),
            ])
    }
}

extension NotificationTargets {
    /// Schema of `ApprovalPolicy.spec.notify`.
    public static var schema: Schema {
        .object(
            "Where matching requests are announced for review.",
            properties: [
                "slackChannel": .string("Slack channel id or name to post to.", maxLength: 256),
                "teamsConversation": TeamsConversationRef.schema,
                "teamsWebhookSecret": SecretKeyRef.schema.described(
                    "Secret key holding a Microsoft Teams Workflows webhook URL: the card is posted there for"
                        + " teams without the bot (notification only, no buttons; reviewers use the CLI)."),
                "webhookSecret": SecretKeyRef.schema.described(
                    "Secret key holding an event webhook URL; every transition of a matching request that needs"
                        + " review is POSTed there as a CloudEvent, signed the Standard Webhooks way with the"
                        + " whsec_ secret under the key signing-secret of the same Secret."),
            ])
    }
}

extension TeamsConversationRef {
    /// Schema of `ApprovalPolicy.spec.notify.teamsConversation` (and its copies in the status).
    public static var schema: Schema {
        .object(
            "A Microsoft Teams conversation the Airlock bot posts the approval card to (docs/teams.md).",
            required: ["serviceUrl", "conversationId"],
            properties: [
                "serviceUrl": .string(
                    "Bot Connector service URL of the conversation (e.g. https://smba.trafficmanager.net/emea/);"
                        + " the controller only calls URLs under its --teams-service-url-prefix.",
                    pattern: "^https?://[^ ]+$", minLength: 8, maxLength: 512),
                "conversationId": .string(
                    "The conversation id (a channel's 19:…@thread.tacv2).", pattern: "^[^ ]+$", minLength: 1,
                    maxLength: 512),
            ])
    }
}

extension SecretKeyRef {
    /// Schema of a Secret key reference.
    public static var schema: Schema {
        .object(
            "A key of a Secret in the Airlock controller's namespace.",
            required: ["name", "key"],
            properties: [
                "name": .objectName("Name of the Secret."),
                "key": .string("Key in the Secret.", pattern: "^[-._a-zA-Z0-9]+$", minLength: 1, maxLength: 253),
            ])
    }
}

extension ApprovalPolicyStatus {
    /// Schema of `ApprovalPolicy.status`.
    public static var schema: Schema {
        .object(
            "What Airlock reports about the policy. Written by the controller only.",
            properties: [
                "observedGeneration": .observedGeneration,
                "conditions": .conditions("Standard conditions about the policy."),
            ])
    }
}
