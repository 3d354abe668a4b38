import AirlockAPI
import AirlockPolicy
import Foundation
import KubeCore

/// Builders shared by the policy and review tests.
enum Fixture {
    static let controllerNamespace = "airlock-system"
    static let configuration = PolicyConfiguration(controllerNamespace: controllerNamespace)
    static let evaluator = PolicyEvaluator(configuration: configuration)

    /// The agent asking: a ServiceAccount `agents/deployer` in group `agents`.
    static let agent = Identity(
        username: "system:serviceaccount:agents:deployer", uid: "u-agent",
        groups: ["system:serviceaccounts", "system:serviceaccounts:agents", "agents"], signature: "sig")
    static let alice = Identity(username: "alice", groups: ["sre", "system:authenticated"], signature: "sig")
    static let bob = Identity(username: "bob", groups: ["sre"], signature: "sig")
    static let carol = Identity(username: "carol", groups: ["dev"], signature: "sig")
    static let controller = Identity(username: "system:serviceaccount:airlock-system:airlock", signature: "sig")

    static func duration(_ text: String) -> KubeDuration {
        try! KubeDuration(parsing: text)
    }

    static func rule(
        _ namespace: String? = "dev", groups: [String] = [""], resources: [String] = ["pods"],
        verbs: [String] = ["get"], names: [String]? = nil
    ) -> PermissionRule {
        PermissionRule(
            namespace: namespace, apiGroups: groups, resources: resources, verbs: verbs, resourceNames: names)
    }

    static func request(
        in namespace: String = "agents", by requester: Identity? = agent, for duration: String = "30m",
        _ permissions: [PermissionRule]? = [rule()], roleRef: TargetRoleRef? = nil,
        credential: CredentialMode? = nil, subject: RBACSubject? = nil
    ) -> ActionRequest {
        ActionRequest(
            metadata: ObjectMeta(name: "req-1", namespace: namespace),
            spec: ActionRequestSpec(
                reason: "testing", duration: Self.duration(duration), permissions: permissions, roleRef: roleRef,
                credential: credential, subject: subject, requester: requester))
    }

    static func policy(
        _ name: String, _ decision: DecisionOutcome, match: PolicyMatch = PolicyMatch(), required: Int? = nil,
        reviewers: ReviewerSet? = nil, max: String? = nil, pending: String? = nil, notify: NotificationTargets? = nil
    ) -> ApprovalPolicy {
        let approvals =
            required != nil || reviewers != nil
            ? ApprovalRequirement(required: required ?? 1, reviewers: reviewers) : nil
        return ApprovalPolicy(
            metadata: ObjectMeta(name: name),
            spec: ApprovalPolicySpec(
                match: match, decision: decision, approvals: approvals, maxDuration: max.map(Self.duration),
                pendingTimeout: pending.map(Self.duration), notify: notify))
    }

    /// A policy that auto-approves anything for up to 12h, cluster-wide included: guardrails
    /// must hold even under it.
    static let allowEverything = policy(
        "allow-everything", .autoApprove, match: PolicyMatch(clusterScope: true), max: "12h")
}
