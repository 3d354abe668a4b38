import AirlockAPI
import Foundation
import KubeCore

/// Fully populated objects: every optional field set, so the schema drift tests see every key
/// the types can produce.
enum Examples {
    static let created = Date(timeIntervalSince1970: 1_714_564_800)  // 2024-05-01T12:00:00Z

    static func at(minutes: Int) -> Date { created.addingTimeInterval(Double(minutes) * 60) }

    static var metadata: ObjectMeta {
        var meta = ObjectMeta(
            name: "delete-db-0", namespace: "agents", labels: ["team": "data"], annotations: ["note": "x"],
            finalizers: [AirlockConstants.revokeGrantsFinalizer])
        meta.uid = "7c1e8a52-0000-4000-8000-000000000001"
        meta.generation = 1
        meta.resourceVersion = "42"
        meta.creationTimestamp = created
        return meta
    }

    static func condition(_ type: String, _ status: String, reason: String) -> Condition {
        Condition(
            type: type, status: status, observedGeneration: 1, lastTransitionTime: at(minutes: 1), reason: reason,
            message: "\(type) is \(status)")
    }

    static var identity: Identity {
        Identity(
            username: "system:serviceaccount:agents:copilot", uid: "u-1",
            groups: ["system:serviceaccounts", "system:authenticated"], signature: "c2lnbmF0dXJl")
    }

    static var actionRequest: ActionRequest {
        ActionRequest(
            metadata: metadata,
            spec: ActionRequestSpec(
                reason: "db-0 is wedged after the failover; delete it so the StatefulSet recreates it",
                ticket: "INC-1234",
                duration: KubeDuration(seconds: 15 * 60),
                permissions: [
                    PermissionRule(
                        namespace: "prod", apiGroups: [""], resources: ["pods"], verbs: ["delete"],
                        resourceNames: ["db-0"])
                ],
                roleRef: TargetRoleRef(kind: .clusterRole, name: "view", namespace: "prod"),
                credential: .subject,
                subject: .serviceAccount("copilot", namespace: "agents"),
                requester: identity),
            status: ActionRequestStatus(
                phase: .granted,
                conditions: [
                    condition(AirlockConstants.ConditionType.evaluated, "True", reason: "PolicyMatched"),
                    condition(AirlockConstants.ConditionType.granted, "True", reason: "GrantsCreated"),
                ],
                decision: PolicyDecision(
                    policies: ["prod-needs-review"], outcome: .requireApproval, requiredApprovals: 1,
                    maxDuration: KubeDuration(seconds: 3600), reason: "PolicyMatched",
                    message: "matched prod-needs-review", reviewers: [ReviewerSet(users: ["alice"], groups: ["sre"])],
                    pendingTimeout: KubeDuration(seconds: 1800), at: at(minutes: 1),
                    notify: NotificationRecipients(
                        slackChannels: ["C0123456789"],
                        teamsConversations: [
                            TeamsConversationRef(
                                serviceUrl: "https://smba.trafficmanager.net/emea/",
                                conversationId: "19:abc@thread.tacv2")
                        ],
                        teamsWebhookSecrets: [SecretKeyRef(name: "teams", key: "url")],
                        webhookSecrets: [SecretKeyRef(name: "siem", key: "url")])),
                reviews: [
                    ReviewRecord(
                        review: "delete-db-0-alice", reviewer: "alice", decision: .approve, at: at(minutes: 2),
                        channel: AirlockConstants.Channel.slack, comment: "go ahead",
                        duration: KubeDuration(seconds: 600), counted: true, rejectedReason: "none")
                ],
                grantedAt: at(minutes: 3), expiresAt: at(minutes: 13), pendingDeadline: at(minutes: 60),
                grants: [
                    GrantRef(
                        apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", namespace: "prod",
                        name: "airlock-delete-db-0-1a2b3c", uid: "uid-rb")
                ],
                credentialSecretName: "airlock-delete-db-0-1a2b3c",
                notifications: [
                    NotificationState(
                        channel: AirlockConstants.Channel.slack, target: "#ops", messageRef: "C123/1714564800.000100",
                        delivered: true, attempts: 2, lastAttemptAt: at(minutes: 1), lastError: "rate limited",
                        failures: 1, retryAt: at(minutes: 2), inDoubt: true, card: "Granted", replies: ["Granted"],
                        repliesInDoubt: ["Ended"],
                        events: ["evt_0123456789abcdef0123456789abcdef"])
                ],
                observedGeneration: 1, rejectedReviews: 3, requesterOwner: "bob",
                roleSnapshot: RoleSnapshot(
                    kind: .role, name: "view", namespace: "prod",
                    rules: [
                        PolicyRule(
                            apiGroups: [""], resources: ["pods"], verbs: ["get"], resourceNames: ["db-0"],
                            nonResourceURLs: ["/healthz"])
                    ])))
    }

    static var actionReview: ActionReview {
        var meta = metadata
        meta.name = "delete-db-0-alice"
        meta.finalizers = nil
        return ActionReview(
            metadata: meta,
            spec: ActionReviewSpec(
                request: "delete-db-0", decision: .approve, duration: KubeDuration(seconds: 600),
                comment: "go ahead",
                reviewer: Identity(username: "airlock-controller", uid: "u-2", groups: ["g"], signature: "c2ln"),
                onBehalfOf: OnBehalfOf(
                    username: "alice", channel: AirlockConstants.Channel.slack, externalUser: "U024BE7LH",
                    groups: ["sre"]),
                requestUID: "uid-1"),
            status: ActionReviewStatus(counted: true, reason: "Counted", observedGeneration: 1))
    }

    static var approvalPolicy: ApprovalPolicy {
        var meta = metadata
        meta.name = "prod-needs-review"
        meta.namespace = nil
        meta.finalizers = nil
        return ApprovalPolicy(
            metadata: meta,
            spec: ApprovalPolicySpec(
                match: PolicyMatch(
                    requestNamespaces: ["agents"],
                    requesters: RequesterMatch(
                        users: ["bob"], groups: ["sre"], serviceAccounts: ["agents/copilot"]),
                    targetNamespaces: ["prod"], resources: ["pods", "deployments.apps"], verbs: ["delete"],
                    clusterScope: false),
                decision: .requireApproval,
                approvals: ApprovalRequirement(
                    required: 2, reviewers: ReviewerSet(users: ["alice"], groups: ["sre-leads"])),
                maxDuration: KubeDuration(seconds: 3600),
                pendingTimeout: KubeDuration(seconds: 1800),
                notify: NotificationTargets(
                    slackChannel: "#ops",
                    teamsConversation: TeamsConversationRef(
                        serviceUrl: "https://smba.trafficmanager.net/emea/", conversationId: "19:abc@thread.tacv2"),
                    teamsWebhookSecret: SecretKeyRef(name: "teams", key: "url"),
                    webhookSecret: SecretKeyRef(name: "hook", key: "url")),
                allowEscalation: [.workloadCreation]),
            status: ApprovalPolicyStatus(
                observedGeneration: 1, conditions: [condition("Valid", "True", reason: "Accepted")]))
    }

    /// Each example as JSON, with the CRD it must fit.
    static func encoded() throws -> [(kind: String, json: JSONValue)] {
        [
            (ActionRequest.kind, try json(actionRequest)),
            (ActionReview.kind, try json(actionReview)),
            (ApprovalPolicy.kind, try json(approvalPolicy)),
        ]
    }

    static func json(_ value: some Encodable) throws -> JSONValue {
        try KubeJSON.decode(JSONValue.self, from: KubeJSON.encode(value))
    }
}
