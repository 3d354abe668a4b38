import KubeCore

extension ActionRequestStatus {
    /// Schema of `ActionRequest.status`.
    public static var schema: Schema {
        .object(
            "What Airlock decided and did about the request. Written by the controller only.",
            properties: [
                "phase": .enumeration(
                    ActionRequestPhase.self,
                    "Where the request is: Pending (evaluated or awaiting reviews), Granted (access in force until"
                        + " expiresAt), Denied, Expired (ran out, or nobody reviewed before pendingDeadline),"
                        + " Revoked (ended early) or Failed. Only Pending and Granted can change."),
                "conditions": .conditions(
                    "Standard conditions: Evaluated, Approved, Granted, Expired, Denied, Revoked. Use `kubectl wait"
                        + " --for=condition=Granted` to wait for access."),
                "decision": PolicyDecision.schema,
                "reviews": .array(
                    "Every review seen, in the order processed, including the ones that did not count (with the"
                        + " reason).",
                    of: ReviewRecord.schema),
                "grantedAt": .timestamp("When the access was granted."),
                "expiresAt": .timestamp("When the access ends; the grants are removed then."),
                "pendingDeadline": .timestamp(
                    "When the request expires if it is still Pending: silence is never consent."),
                "grants": .array(
                    "Every object created for the grant (Roles, RoleBindings, ServiceAccount, Secret), removed"
                        + " when the grant ends.",
                    of: GrantRef.schema),
                "credentialSecretName": .string(
                    "With credential Ephemeral: the Secret in the request's namespace holding the ServiceAccount's"
                        + " token (key token) and a ready kubeconfig (key kubeconfig)."),
                "notifications": .array(
                    "Delivery state of each notification, so a restart neither loses nor repeats a message.",
                    of: NotificationState.schema),
                "observedGeneration": .observedGeneration,
            ])
    }
}

extension PolicyDecision {
    /// Schema of `status.decision`.
    public static var schema: Schema {
        .object(
            "The combined verdict of the matching ApprovalPolicies and the built-in guardrails.",
            required: ["outcome"],
            properties: [
                "policies": .strings(
                    "Names of the ApprovalPolicies that matched; empty when the controller's default applied.",
                    itemDescription: "An ApprovalPolicy name."),
                "outcome": .enumeration(
                    DecisionOutcome.self,
                    "AutoApprove (granted without review), RequireApproval (granted after requiredApprovals"
                        + " distinct allowed reviewers approve) or Deny."),
                "requiredApprovals": .integer(
                    "Distinct approvals needed (with RequireApproval).", minimum: 0, maximum: 100),
                "maxDuration": .duration("The longest access policy allows; a request asking for longer is denied."),
                "reason": .string("Machine-readable CamelCase reason for the outcome."),
                "message": .string("Human-readable explanation of the outcome."),
            ])
    }
}

extension ReviewRecord {
    /// Schema of one `status.reviews[]` entry.
    public static var schema: Schema {
        .object(
            "One review as Airlock processed it.",
            required: ["reviewer", "decision", "at", "channel", "counted"],
            properties: [
                "review": .string("Name of the ActionReview the record comes from."),
                "reviewer": .string("Username of the reviewer (for chat reviews, the mapped Kubernetes user)."),
                "decision": .enumeration(ReviewDecision.self, "Approve, Deny or Revoke."),
                "at": .timestamp("When the review was made."),
                "channel": .string("How the review came in: kubernetes, slack or teams."),
                "comment": .string("The reviewer's comment."),
                "duration": .duration("The (possibly shorter) duration the reviewer approved."),
                "counted": .boolean("Whether the review counted towards the decision."),
                "rejectedReason": .string(
                    "Why the review did not count (e.g. self-review, not an allowed reviewer, signature invalid,"
                        + " request no longer pending)."),
            ])
    }
}

extension GrantRef {
    /// Schema of one `status.grants[]` entry.
    public static var schema: Schema {
        .object(
            "An object created for the grant.",
            required: ["apiVersion", "kind", "name"],
            properties: [
                "apiVersion": .string("API version of the object (e.g. rbac.authorization.k8s.io/v1)."),
                "kind": .string("Kind of the object (Role, RoleBinding, ServiceAccount, Secret, ...)."),
                "namespace": .string("Namespace of the object; empty for cluster-scoped objects."),
                "name": .string("Name of the object."),
                "uid": .string("UID of the object, so cleanup never deletes a same-named replacement."),
            ])
    }
}

extension NotificationState {
    /// Schema of one `status.notifications[]` entry.
    public static var schema: Schema {
        .object(
            "Delivery state of one notification.",
            required: ["channel", "delivered", "attempts"],
            properties: [
                "channel": .string("Channel: slack, teams or webhook."),
                "target": .string(
                    "Where on the channel: the Slack channel, or the Secret holding the Teams or webhook URL."),
                "messageRef": .string("Reference of the posted message (Slack channel/ts), for updates and replies."),
                "delivered": .boolean("Whether the message was delivered."),
                "attempts": .integer("Delivery attempts so far.", minimum: 0),
                "lastAttemptAt": .timestamp("When delivery was last attempted."),
                "lastError": .string("The last delivery error, if any."),
            ])
    }
}
