import AirlockAPI
import AirlockController
import AirlockIdentity
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Logging
import Synchronization

/// What a chaos run plays against, on a control plane of its own (its API server gets
/// restarted): two `airlock controller` replicas electing a leader over a short Lease and
/// sharing one audit file, reaching the API server through a ``KubeTesting/TCPProxy`` that
/// cuts their connections (watches included) at will, Slack (the fake) for announcements and clicks, the admission
/// webhook served in this process (so identities are stamped while replicas die), policies
/// that auto-approve, require a review or deny by target namespace, and people bound to the
/// manifests' roles: `alice` requests, `bob` reviews (`U0BOB` in Slack).
final class ChaosEnvironment: Sendable {
    static let system = "airlock-system"
    static let channel = "C0CHAOS"
    static let lease = "chaos"
    static let leaseDuration = 4

    let plane: TestControlPlane
    let slack: FakeSlackServer
    let id: String
    /// Where requests and reviews live.
    let namespace: String
    /// Target namespaces, one per policy outcome.
    let autoTarget: String
    let reviewTarget: String
    let denyTarget: String
    let auditFile: String
    let replicas: [CrashingController]
    /// Between the replicas and the API server.
    let proxy: TCPProxy
    private let webhook: Mutex<[Task<Void, any Error>]>

    var admin: KubernetesClient { plane.adminClient }

    private init(
        plane: TestControlPlane, slack: FakeSlackServer, id: String, auditFile: String,
        replicas: [CrashingController], proxy: TCPProxy, webhook: [Task<Void, any Error>]
    ) {
        self.plane = plane
        self.proxy = proxy
        self.slack = slack
        self.id = id
        self.namespace = "chaos-\(id)"
        self.autoTarget = "chaos-\(id)-auto"
        self.reviewTarget = "chaos-\(id)-review"
        self.denyTarget = "chaos-\(id)-deny"
        self.auditFile = auditFile
        self.replicas = replicas
        self.webhook = Mutex(webhook)
    }

    static func start() async throws -> ChaosEnvironment {
        let plane = try await TestControlPlane.start()
        let slack = try await FakeSlackServer.start(users: [.init(id: "U0BOB", name: "bob")])
        let proxy = try await TCPProxy.start(to: plane.server.port ?? 0)
        let id = String((0..<6).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
        var tasks: [Task<Void, any Error>] = []
        do {
            let auditFile = plane.directory.appendingPathComponent("chaos-audit.jsonl").path
            // The replicas' kubeconfig names the proxy.
            let kubeconfig = plane.directory.appendingPathComponent("chaos-kubeconfig").path
            let text = try String(contentsOfFile: plane.kubeconfigPath, encoding: .utf8)
            try text.replacingOccurrences(of: plane.server.absoluteString, with: "https://127.0.0.1:\(proxy.port)")
                .write(toFile: kubeconfig, atomically: true, encoding: .utf8)
            let replicas = ["replica-a", "replica-b"].map { name in
                CrashingController(
                    plane: plane,
                    settings: .init(
                        namespace: system, watchNamespace: "chaos-\(id)", auditFile: auditFile, name: name,
                        leaseName: lease, leaseDuration: "\(leaseDuration)s", kubeconfig: kubeconfig,
                        arguments: [
                            "--slack-secret", "airlock-slack", "--slack-api-url", slack.baseURL,
                            "--slack-response-url-prefix", slack.responseURLPrefix, "--slack-team-id", slack.teamID,
                            "--no-slack-email-mapping",
                        ], chat: true, logLevel: "info"))
            }
            let environment = ChaosEnvironment(
                plane: plane, slack: slack, id: id, auditFile: auditFile, replicas: replicas, proxy: proxy,
                webhook: [])
            try await environment.prepare(tasks: &tasks)
            environment.webhook.withLock { $0 = tasks }
            for replica in replicas { try replica.start() }
            return environment
        } catch {
            for task in tasks { task.cancel() }
            await proxy.stop()
            await slack.stop()
            await plane.stop()
            throw error
        }
    }

    /// Stops the replicas (gracefully), the webhook, Slack and the control plane.
    func stop() async {
        for replica in replicas { replica.stopForGood() }
        for task in webhook.withLock({ $0 }) {
            task.cancel()
            _ = await task.result
        }
        await proxy.stop()
        await slack.stop()
        await plane.stop()
    }

    /// Namespaces, roles, the signing key, Slack's Secret and user mapping, the webhook, policies.
    private func prepare(tasks: inout [Task<Void, any Error>]) async throws {
        _ = try await admin.create(Namespace(name: Self.system))
        _ = try await admin.create(Namespace(name: namespace, labels: [AirlockFixture.webhookLabel: id]))
        for target in [autoTarget, reviewTarget, denyTarget, "\(namespace)-webhook"] {
            _ = try await admin.create(Namespace(name: target))
        }
        try await LifecycleFixture.grantControllerRBAC(admin)
        try await AirlockFixture.installUserRoles(admin)
        for name in ["airlock-leader-election", "airlock-chat"] {
            try await AirlockFixture.installControllerRole(name, in: Self.system, admin: admin)
        }
        for (user, role) in [("alice", "airlock-requester"), ("bob", "airlock-reviewer")] {
            _ = try await admin.create(
                RoleBinding(
                    metadata: ObjectMeta(name: "\(user)-\(role)", namespace: namespace), subjects: [.user(user)],
                    roleRef: RoleRef(kind: "ClusterRole", name: "\(role)-test")))
        }
        _ = try await admin.create(
            Secret(
                metadata: ObjectMeta(name: "airlock-slack", namespace: Self.system),
                data: [
                    SlackConnection.tokenKey: Data(slack.token.utf8),
                    SlackConnection.signingSecretKey: Data(slack.signingSecret.utf8),
                ]))
        _ = try await admin.create(
            ConfigMap(metadata: ObjectMeta(name: "airlock-slack-users", namespace: Self.system), data: ["U0BOB": "bob"])
        )

        // The replicas load this key; the webhook here signs with it.
        let signer = try await SigningKeySecret.loadOrCreate(client: admin, namespace: Self.system)
        var logger = Logger(label: "test.chaos.webhook")
        logger.logLevel = .critical
        _ = try await AirlockFixture.startWebhook(
            plane: plane, namespace: "\(namespace)-webhook", id: id, configurationName: "airlock-chaos-\(id)",
            signer: signer, logger: logger, tasks: &tasks)

        let policies: [(String, ApprovalPolicySpec)] = [
            ("auto", ApprovalPolicySpec(decision: .autoApprove, maxDuration: KubeDuration(seconds: 3600))),
            (
                "review",
                ApprovalPolicySpec(
                    decision: .requireApproval, approvals: ApprovalRequirement(required: 1),
                    maxDuration: KubeDuration(seconds: 3600), pendingTimeout: KubeDuration(seconds: 3600),
                    notify: NotificationTargets(slackChannel: Self.channel))
            ),
            ("deny", ApprovalPolicySpec(decision: .deny)),
        ]
        for (suffix, spec) in policies {
            var spec = spec
            spec.match = PolicyMatch(
                requestNamespaces: [namespace], targetNamespaces: [target(of: suffix)])
            _ = try await admin.create(ApprovalPolicy(metadata: ObjectMeta(name: "\(namespace)-\(suffix)"), spec: spec))
        }
    }

    private func target(of policy: String) -> String {
        switch policy {
        case "auto": autoTarget
        case "review": reviewTarget
        default: denyTarget
        }
    }

    // MARK: During the run

    /// The replica holding the Lease, if it is running.
    func leader() async throws -> CrashingController? {
        guard let holder = try await leaseState().holder else { return nil }
        return replicas.first { holder.hasPrefix($0.settings.name + "_") && $0.isRunning }
    }

    /// The Lease's holder and last renewal (none before the first election).
    func leaseState() async throws -> (holder: String?, renewed: Date?) {
        do {
            let lease = try await admin.get(Lease.self, name: Self.lease, namespace: Self.system)
            return (lease.spec?.holderIdentity, lease.spec?.renewTime)
        } catch let error as KubernetesError where error.isNotFound {
            return (nil, nil)
        }
    }
}
