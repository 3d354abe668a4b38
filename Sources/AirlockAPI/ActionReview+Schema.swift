import KubeCore

extension ActionReview: AirlockResource {
    public static let singular = "actionreview"
    public static let shortNames = ["arev"]
    public static let resourceDescription =
        "ActionReview is one reviewer's decision on an ActionRequest in the same namespace: Approve, Deny or"
        + " Revoke. Reviews from every channel (kubectl, `airlock approve`, Slack, Teams) are ActionReviews, so"
        + " there is one audit trail. A review counts only if the reviewer is allowed by the matching policy and"
        + " RBAC (verb approve on actionrequests.airlock.dev), and is neither the requester nor the grantee."
    public static let printerColumns = [
        PrinterColumn("Request", .string, ".spec.request", "The ActionRequest reviewed."),
        PrinterColumn("Decision", .string, ".spec.decision", "Approve, Deny or Revoke."),
        PrinterColumn("Reviewer", .string, ".spec.reviewer.username", "Who reviewed."),
        PrinterColumn("Counted", .boolean, ".status.counted", "Whether the review counted."),
        .age,
        PrinterColumn("Via", .string, ".spec.onBehalfOf.channel", "Chat channel the review came from.", priority: 1),
        PrinterColumn("Reason", .string, ".status.reason", "Why the review counted or not.", priority: 1),
    ]
    public static var specSchema: Schema { ActionReviewSpec.schema }
    public static var statusSchema: Schema { ActionReviewStatus.schema }
}

extension ActionReviewSpec {
    /// Schema of `ActionReview.spec`.
    public static var schema: Schema {
        .object(
            "One reviewer's decision on one ActionRequest. Immutable after creation.",
            required: ["request", "decision"],
            properties: [
                "request": .objectName("Name of the ActionRequest, in the same namespace."),
                "decision": .enumeration(
                    ReviewDecision.self,
                    "Approve or Deny a Pending request, or Revoke a Granted one (the requester may always revoke"
                        + " its own)."),
                "duration": .duration("With Approve: approve a shorter duration than asked (never longer)."),
                "comment": .string("Why; kept in the audit trail.", maxLength: 2048),
                "reviewer": Identity.schema.described(
                    "Who reviewed. Stamped and signed by Airlock's admission webhook from the API server's"
                        + " authentication; whatever a client sends here is overwritten."),
                "onBehalfOf": OnBehalfOf.schema,
                "requestUID": .string(
                    "The uid of the request instance reviewed. Stamped and signed by Airlock's admission webhook:"
                        + " a review never counts for a later request that reuses the name.", maxLength: 128),
            ]
        )
        .rule("self == oldSelf", message: "spec is immutable; create a new ActionReview instead")
        .rule("!has(self.duration) || self.decision == 'Approve'", message: "spec.duration applies only to Approve")
    }
}

extension OnBehalfOf {
    /// Schema of `ActionReview.spec.onBehalfOf`.
    public static var schema: Schema {
        .object(
            "The chat user a review made in chat speaks for. Set by the Airlock controller only; reviews from"
                + " anyone else that set it are rejected.",
            required: ["channel", "externalUser"],
            properties: [
                "username": .string(
                    "The Kubernetes username the chat user maps to; empty when unmapped (the review cannot count).",
                    maxLength: 1024),
                "channel": .string("The chat channel: slack or teams.", minLength: 1, maxLength: 64),
                "externalUser": .string(
                    "The user's id on the channel (Slack user id, Teams AAD object id).", minLength: 1,
                    maxLength: 256),
                "groups": .strings(
                    "Groups the controller's chat-user mapping gives the user; reviewer sets and the"
                        + " SubjectAccessReview use them.",
                    itemDescription: "A group name.", maxItems: 32, maxLength: 1024),
            ])
    }
}

extension ActionReviewStatus {
    /// Schema of `ActionReview.status`.
    public static var schema: Schema {
        .object(
            "What Airlock made of the review. Written by the controller only.",
            properties: [
                "counted": .boolean("Whether the review counted towards its request's decision."),
                "reason": .string(
                    "Counted, or why the review did not count: a CamelCase code and an explanation, e.g."
                        + " \"SelfApproval: alice is the requester ...\"."),
                "observedGeneration": .observedGeneration,
            ])
    }
}
