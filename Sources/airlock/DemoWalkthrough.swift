import AirlockAPI
import Foundation
import KubeClient
import KubeCore
import KubeTesting

/// The demo's walk-through: alice's agent asks to delete ConfigMap shop/checkout; the card
/// appears in the inbox; bob (an SRE) approves it (the script clicks for him with
/// `--scripted`); the agent's credential does exactly that and nothing else; the access ends
/// at expiry.
struct DemoWalkthrough {
    let plane: TestControlPlane
    let inbox: FakeSlackServer
    let progress: DemoProgress
    let scripted: Bool
    let duration: KubeDuration

    static let namespace = "shop"
    static let channel = "airlock-approvals"

    func run() async throws {
        try await prepareCluster()
        let agent = try plane.client(as: "alice")

        progress.step(
            "An agent's request arrives: alice asks to delete ConfigMap shop/checkout for \(duration), "
                + "reason \"rotate the checkout config\"")
        _ = try await agent.create(
            ActionRequest(
                metadata: ObjectMeta(name: "delete-checkout", namespace: Self.namespace),
                spec: ActionRequestSpec(
                    reason: "rotate the checkout config", duration: duration,
                    permissions: [
                        PermissionRule(
                            namespace: Self.namespace, apiGroups: [""], resources: ["configmaps"], verbs: ["delete"],
                            resourceNames: ["checkout"])
                    ])))
        let pending = try await waitFor(agent) { $0.status?.phase != nil }
        progress.detail("\(pending.status?.phase?.rawValue ?? "?"): \(pending.status?.decision?.message ?? "")")

        let card = try await eventuallyValue("the approval card", timeout: .seconds(30), interval: .milliseconds(25)) {
            inbox.messages.first { $0.threadTS == nil && $0.metadata?["event_payload"]?["name"] == "delete-checkout" }
        }
        let shownAfter = progress.cardShown()
        progress.step("The approval card is in the inbox (#\(Self.channel)): open \(inbox.cardURL(ts: card.ts))")
        progress.detail(String(format: "first card shown %.1f s after start", shownAfter))

        if scripted {
            progress.step("Clicking Approve as bob (--scripted; without it the demo waits for your click)")
            let outcome = try await inbox.inboxClick("approve", channel: card.channel, ts: card.ts)
            progress.detail(outcome.notice)
        } else {
            progress.step("Waiting for your click: Approve or Deny in the inbox, as bob (Ctrl-C to stop)")
        }
        let decided = try await waitFor(agent, timeout: scripted ? .seconds(30) : .seconds(3600)) {
            $0.status?.phase != .pending
        }
        guard decided.status?.phase == .granted else {
            progress.detail(
                "\(decided.status?.phase?.rawValue ?? "?"): \(decided.status?.conditions?.last?.message ?? "")")
            return
        }
        let approver = decided.status?.reviews?.first { $0.counted }?.reviewer ?? "?"
        progress.detail(
            "Approved by \(approver) from the inbox: Granted until \(Self.time(decided.status?.expiresAt))")

        let token = try await useCredential(decided, agent: agent)
        try await watchExpiry(decided, agent: agent, token: token)
    }

    /// The agent reads its credential and uses it: the approved delete works, anything else is
    /// refused.
    private func useCredential(_ request: ActionRequest, agent: KubernetesClient) async throws -> String {
        let secretName = request.status?.credentialSecretName ?? ""
        let secret = try await agent.get(Secret.self, name: secretName, namespace: Self.namespace)
        let token = String(decoding: secret.data?["token"] ?? Data(), as: UTF8.self)
        progress.step("The agent uses its credential (Secret shop/\(secretName), an ephemeral ServiceAccount's token)")
        try await plane.withClient(token: token) { credential in
            try await credential.delete(ConfigMap.self, name: "checkout", namespace: Self.namespace)
            progress.detail("delete ConfigMap shop/checkout: done (exactly the approved action)")
            for (what, attempt) in [
                (
                    "delete ConfigMap shop/payments",
                    { try await credential.delete(ConfigMap.self, name: "payments", namespace: Self.namespace) }
                ),
                ("list Secrets in shop", { _ = try await credential.list(Secret.self, namespace: Self.namespace) }),
            ] as [(String, () async throws -> Void)] {
                do {
                    try await attempt()
                    throw DemoError("the credential could \(what): it must not")
                } catch let error as KubernetesError where error.isForbidden {
                    progress.detail("\(what): refused (403 Forbidden), nothing more than approved")
                }
            }
        }
        return token
    }

    /// Waits for the grant to end by itself and shows the credential refused.
    private func watchExpiry(_ request: ActionRequest, agent: KubernetesClient, token: String) async throws {
        progress.step("Expiry: the access ends at \(Self.time(request.status?.expiresAt)) without anyone acting")
        let seconds = max(0, request.status?.expiresAt?.timeIntervalSinceNow ?? 0)
        let expired = try await waitFor(agent, timeout: .seconds(Int64(seconds) + 60)) {
            $0.status?.phase == .expired
        }
        progress.detail(
            "\(expired.status?.phase?.rawValue ?? "?") at \(Self.time(Date())): its RoleBinding, Role, "
                + "ServiceAccount and credential Secret are deleted")
        // Refused once the RoleBinding is gone (revocation deletes it first). A 404 would mean
        // the delete was still authorized (checkout is gone already): ask again until refused.
        let refusal = try await plane.withClient(token: token) { credential -> String in
            try await eventuallyValue("the credential to be refused", timeout: .seconds(20)) {
                do {
                    try await credential.delete(ConfigMap.self, name: "checkout", namespace: Self.namespace)
                    throw DemoError("the credential still works after expiry")
                } catch let error as KubernetesError where error.isForbidden || error.isUnauthorized {
                    return error.isForbidden ? "403 Forbidden" : "401 Unauthorized"
                } catch let error as KubernetesError where error.isNotFound {
                    return nil
                }
            }
        }
        progress.detail("the same token, delete ConfigMap shop/checkout again: refused (\(refusal))")
    }

    /// Namespace and ConfigMaps, who may do what (alice: requests only; group sre: review), and
    /// the policies: reads are automatic, ConfigMap deletes need one SRE and go to the inbox,
    /// Secrets are never granted.
    private func prepareCluster() async throws {
        let admin = plane.adminClient
        _ = try await admin.create(Namespace(name: Self.namespace))
        for (name, mode) in [("checkout", "live"), ("payments", "live")] {
            _ = try await admin.create(
                ConfigMap(metadata: ObjectMeta(name: name, namespace: Self.namespace), data: ["mode": mode]))
        }
        let roles: [(String, [PolicyRule], RBACSubject)] = [
            (
                "demo-agent",
                [
                    PolicyRule(
                        apiGroups: ["airlock.dev"], resources: ["actionrequests"],
                        verbs: ["get", "list", "watch", "create"]),
                    PolicyRule(
                        apiGroups: ["airlock.dev"], resources: ["actionreviews"], verbs: ["get", "list", "create"]),
                ],
                .user("alice")
            ),
            (
                "demo-reviewer",
                [
                    PolicyRule(
                        apiGroups: ["airlock.dev"], resources: ["actionrequests"],
                        verbs: ["get", "list", "watch", "approve"]),
                    PolicyRule(
                        apiGroups: ["airlock.dev"], resources: ["actionreviews"], verbs: ["get", "list", "create"]),
                ],
                .group("sre")
            ),
        ]
        for (name, rules, subject) in roles {
            _ = try await admin.create(ClusterRole(metadata: ObjectMeta(name: name), rules: rules))
            _ = try await admin.create(
                ClusterRoleBinding(
                    metadata: ObjectMeta(name: name), subjects: [subject],
                    roleRef: RoleRef(kind: "ClusterRole", name: name)))
        }
        let policies: [(String, ApprovalPolicySpec)] = [
            (
                "reads-auto-approve",
                ApprovalPolicySpec(
                    match: PolicyMatch(resources: ["configmaps"], verbs: ["get", "list", "watch"]),
                    decision: .autoApprove, maxDuration: try KubeDuration(parsing: "1h"))
            ),
            (
                "configmap-changes-need-an-sre",
                ApprovalPolicySpec(
                    match: PolicyMatch(resources: ["configmaps"], verbs: ["update", "patch", "delete"]),
                    decision: .requireApproval,
                    approvals: ApprovalRequirement(required: 1, reviewers: ReviewerSet(groups: ["sre"])),
                    maxDuration: try KubeDuration(parsing: "30m"),
                    notify: NotificationTargets(slackChannel: Self.channel))
            ),
            ("deny-secrets", ApprovalPolicySpec(match: PolicyMatch(resources: ["secrets"]), decision: .deny)),
        ]
        for (name, spec) in policies {
            _ = try await admin.create(ApprovalPolicy(metadata: ObjectMeta(name: name), spec: spec))
        }
        progress.say(
            "Policies: reads-auto-approve, configmap-changes-need-an-sre (1 approval, group sre, card in #\(Self.channel)), deny-secrets"
        )
    }

    private func waitFor(
        _ client: KubernetesClient, timeout: Duration = .seconds(30),
        _ condition: @escaping (ActionRequest) -> Bool
    ) async throws -> ActionRequest {
        try await eventuallyValue("delete-checkout", timeout: timeout, interval: .milliseconds(50)) {
            let request = try await client.get(ActionRequest.self, name: "delete-checkout", namespace: Self.namespace)
            return condition(request) ? request : nil
        }
    }

    static func time(_ date: Date?) -> String {
        guard let date else { return "?" }
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: date)
    }
}

struct DemoError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
