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

    /// The uid of every request the fixtures build.
    static let requestUID = "uid-req-1"

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
        var metadata = ObjectMeta(name: "req-1", namespace: namespace)
        metadata.uid = requestUID
        return ActionRequest(
            metadata: metadata,
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

    /// What the `view` ClusterRole grants, in these tests.
    static let viewRole = RoleSnapshot(
        kind: .clusterRole, name: "view", namespace: nil,
        rules: [PolicyRule(apiGroups: [""], resources: ["pods"], verbs: ["get", "list"])])
    /// A Role `reader` in `dev`.
    static let readerRole = RoleSnapshot(
        kind: .role, name: "reader", namespace: "dev",
        rules: [PolicyRule(apiGroups: [""], resources: ["configmaps"], verbs: ["get"])])
    /// A ClusterRole granting only cluster-scoped access.
    static let nodeViewer = RoleSnapshot(
        kind: .clusterRole, name: "view", namespace: nil,
        rules: [PolicyRule(apiGroups: [""], resources: ["nodes"], verbs: ["get"])])

    /// A policy that auto-approves anything for up to 12h, cluster-wide included: guardrails
    /// must hold even under it.
    static let allowEverything = policy(
        "allow-everything", .autoApprove, match: PolicyMatch(clusterScope: true), max: "12h")
}
