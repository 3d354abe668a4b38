/// Names shared by every part of Airlock: API group and version, labels, annotations,
/// the finalizer, condition types and channel names. Spelled once, here.
public enum AirlockConstants {
    /// The API group of Airlock's custom resources.
    public static let group = "airlock.dev"
    /// The API version of Airlock's custom resources.
    public static let version = "v1alpha1"
    /// The `kubectl get <category>` that lists every Airlock resource.
    public static let category = "airlock"
    /// The custom RBAC verb a reviewer needs on `actionrequests.airlock.dev` for a review to count.
    public static let approveVerb = "approve"
    /// Finalizer on an ActionRequest: its grants are revoked before the request goes away.
    public static let revokeGrantsFinalizer = "airlock.dev/revoke-grants"

    /// Labels on every object Airlock creates for a grant (the sweeper lists by them).
    public enum Label {
        /// `app.kubernetes.io/managed-by`, with the value ``managedByValue``.
        public static let managedBy = "app.kubernetes.io/managed-by"
        /// The value of ``managedBy`` on Airlock's objects.
        public static let managedByValue = "airlock"
        /// Namespace of the ActionRequest the object was created for.
        public static let requestNamespace = "airlock.dev/request-namespace"
        /// Name of the ActionRequest the object was created for.
        public static let requestName = "airlock.dev/request-name"
        /// UID of the ActionRequest the object was created for.
        public static let requestUID = "airlock.dev/request-uid"
        /// The label selector that finds every object Airlock manages.
        public static let managedBySelector = "\(managedBy)=\(managedByValue)"
    }

    /// Annotations Airlock writes.
    public enum Annotation {
        /// When the grant ends, RFC 3339, on every created object.
        public static let expiresAt = "airlock.dev/expires-at"
        /// On an agent's ServiceAccount: the username of the person it acts for, who then
        /// counts as the requester of the agent's requests (no approving them). Only admins
        /// should be able to set it.
        public static let owner = "airlock.dev/owner"
    }

    /// Condition types on `ActionRequest.status.conditions` (`kubectl wait --for=condition=Granted`).
    public enum ConditionType {
        /// Policies and guardrails have been evaluated; `status.decision` holds the outcome.
        public static let evaluated = "Evaluated"
        /// Enough counted approvals (or an auto-approving policy).
        public static let approved = "Approved"
        /// The grants exist and are in force.
        public static let granted = "Granted"
        /// The grant ran out, or the request was not reviewed before its pending deadline.
        public static let expired = "Expired"
        /// A policy, a guardrail or a reviewer denied the request.
        public static let denied = "Denied"
        /// A reviewer or the requester ended the grant early.
        public static let revoked = "Revoked"
        /// True once the request is no longer Pending — Granted, or ended any way — with the
        /// phase as reason: `kubectl wait --for=condition=Decided` ends on every outcome.
        public static let decided = "Decided"
        /// Every condition type, in the order a request goes through them.
        public static let all = [evaluated, approved, granted, expired, denied, revoked, decided]
    }

    /// Channel names used in `reviews[].channel`, `notifications[].channel` and `onBehalfOf.channel`.
    public enum Channel {
        /// A review created directly through the Kubernetes API (`kubectl`, `airlock approve`).
        public static let kubernetes = "kubernetes"
        /// Slack interactive message.
        public static let slack = "slack"
        /// Microsoft Teams: the Airlock bot's Adaptive Card (reviews from it carry this channel).
        public static let teams = "teams"
        /// Microsoft Teams Workflows webhook: the card posted for notification only.
        public static let teamsWebhook = "teams-webhook"
        /// Generic HMAC-signed webhook.
        public static let webhook = "webhook"
    }
}
