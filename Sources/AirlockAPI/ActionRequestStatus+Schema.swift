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
                    "Standard conditions: Evaluated, Approved, Granted, Expired, Denied, Revoked, and Decided —"
                        + " True once the request is no longer Pending, with the phase as reason. `kubectl wait"
                        + " --for=condition=Decided` ends on every outcome; `--for=condition=Granted` waits for"
                        + " access."),
                "decision": PolicyDecision.schema,
                "reviews": .array(
                    "Each reviewer's latest verdict — its counted vote, its counted Revoke and its latest rejected"
                        + " review (with the reason) — in the order made; at most 32, counted ones first, then the"
                        + " newest rejected ones.",
                    of: ReviewRecord.schema, maxItems: ActionRequestStatus.maxListedReviews),
                "rejectedReviews": .integer(
                    "How many reviews of this request did not count, listed or not.", minimum: 0),
                "requesterOwner": .string(
                    "The person the requesting agent acts for (its ServiceAccount's airlock.dev/owner annotation):"
                        + " counts as the requester when reviews are judged.", maxLength: 1024),
                "roleSnapshot": RoleSnapshot.schema,
                "grantedAt": .timestamp("When the access was granted."),
                "expiresAt": .timestamp("When the access ends; the grants are removed then."),
                "pendingDeadline": .timestamp(
                    "When the request expires if it is still Pending: silence is never consent."),
                "grants": .array(
                    "Every object created for the grant (Roles, RoleBindings, ServiceAccount, Secret), removed"
                        + " when the grant ends.",
                    of: GrantRef.schema, maxItems: 128),
                "credentialSecretName": .string(
                    "With credential Ephemeral: the Secret in the request's namespace holding the ServiceAccount's"
                        + " token (key token) and a ready kubeconfig (key kubeconfig)."),
                "notifications": .array(
                    "Delivery state of each notification, so a restart neither loses nor repeats a message.",
                    of: NotificationState.schema, maxItems: 32),
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
                "reviewers": .array(
                    "With RequireApproval: who may review; a reviewer must be allowed by every set. Kept so a"
                        + " Granted request's reviews are judged by the decision that granted it.",
                    of: ReviewerSet.schema, maxItems: 32),
                "pendingTimeout": .duration("With RequireApproval: how long the request may stay Pending."),
                "at": .timestamp("When this decision was reached."),
                "notify": NotificationRecipients.schema,
            ])
    }
}

extension NotificationRecipients {
    /// Schema of `status.decision.notify`.
    public static var schema: Schema {
        .object(
            "With RequireApproval: where the request is announced for review (the notify targets of the"
                + " policies requiring approval), kept with the decision.",
            properties: [
                "slackChannels": .strings(
                    "Slack channels the approval card is posted to.", itemDescription: "A Slack channel id or name.",
                    maxItems: 16, maxLength: 256),
                "teamsConversations": .array(
                    "Microsoft Teams conversations the bot posts the approval card to.",
                    of: TeamsConversationRef.schema, maxItems: 16),
                "teamsWebhookSecrets": .array(
                    "Secret keys holding Microsoft Teams Workflows webhook URLs.",
                    of: SecretKeyRef.schema, maxItems: 16),
                "webhookSecrets": .array(
                    "Secret keys holding event webhook URLs (and their signing secret).",
                    of: SecretKeyRef.schema, maxItems: 16),
            ])
    }
}

extension RoleSnapshot {
    /// Schema of `status.roleSnapshot`.
    public static var schema: Schema {
        .object(
            "The rules of spec.roleRef as first evaluated: what policies, guardrails and reviewers judge, and"
                + " what is granted (as Airlock's own Role or ClusterRole), whatever the named role says later.",
            required: ["kind", "name", "rules"],
            properties: [
                "kind": .enumeration(TargetRoleRef.Kind.self, "Role or ClusterRole."),
                "name": .string("The role named by spec.roleRef."),
                "namespace": .string("Where the Role lives; empty for a ClusterRole."),
                "rules": .array(
                    "The role's rules (for an aggregated ClusterRole, those of the roles it aggregates).",
                    of: PolicyRule.schema, maxItems: RoleSnapshot.maxRules),
            ])
    }
}

extension PolicyRule {
    /// Schema of an RBAC rule in a snapshot.
    public static var schema: Schema {
        .object(
            "An RBAC rule.", required: ["verbs"],
            properties: [
                "apiGroups": .array("API groups.", of: .string("An API group.")),
                "resources": .array("Resources.", of: .string("A resource.")),
                "verbs": .array("Verbs.", of: .string("A verb.")),
                "resourceNames": .array("Object names.", of: .string("A name.")),
                "nonResourceURLs": .array("Non-resource URLs.", of: .string("A URL path.")),
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
                "comment": .string("The reviewer's comment (its first 512 characters).", maxLength: 512),
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
            "Delivery state of one notification target: a Slack channel's approval card and its follow-ups,"
                + " or an event webhook's events. Written by the controller's notifier only.",
            required: ["channel", "delivered", "attempts"],
            properties: [
                "channel": .string("Channel: slack, teams or webhook."),
                "target": .string(
                    "Where on the channel: the Slack channel as the policy names it; for Teams, the service URL"
                        + " and conversation id separated by a space; for a webhook (or a Teams Workflows"
                        + " webhook), the Secret key holding its URL, as name/key."),
                "messageRef": .string(
                    "Reference of the posted message (Slack channel/ts; Teams activity id), for updates and"
                        + " replies."),
                "delivered": .boolean(
                    "Slack: the card is posted. Webhook: every event due so far is delivered."),
                "attempts": .integer("Delivery calls made so far.", minimum: 0),
                "lastAttemptAt": .timestamp("When delivery was last attempted."),
                "lastError": .string("The last delivery error; cleared by the next success."),
                "failures": .integer("Consecutive failures: the next attempt waits for a backoff.", minimum: 0),
                "retryAt": .timestamp(
                    "Not before this moment: a backoff, or the Retry-After the channel asked for."),
                "inDoubt": .boolean(
                    "A card post was attempted and may have reached the channel: Slack looks it up by its"
                        + " metadata before posting again; Teams (no look-up) posts again."),
                "card": .string("What the posted card shows (Pending/<approvals>, Granted, Expired, ...)."),
                "replies": .array(
                    "Thread replies posted under the card.",
                    of: .enumeration(NotificationState.Reply.self, "A thread reply."), maxItems: 8),
                "repliesInDoubt": .array(
                    "Slack thread replies attempted but not recorded: each is looked up in the thread by its"
                        + " metadata before it is posted again.",
                    of: .enumeration(NotificationState.Reply.self, "A thread reply."), maxItems: 8),
                "events": .strings(
                    "Webhook: ids of the CloudEvents delivered, one per transition.",
                    itemDescription: "A CloudEvent id.", maxItems: NotificationState.maxEvents, maxLength: 64),
            ])
    }
}
