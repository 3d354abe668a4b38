import AirlockAPI
import AirlockAdmission
import AirlockController
import ArgumentParser
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Logging

/// `airlock demo`: a local demo environment — a real etcd + kube-apiserver on loopback,
/// Airlock with its admission webhook, and a walk-through of an agent asking for access.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a local Kubernetes API server with Airlock and walk through a request.")

    @OptionGroup var log: LogOptions

    @Flag(help: "Exit after the walk-through instead of keeping the environment running.")
    var exitAfterScenario = false

    func run() async throws {
        if log.logFormat == .json, ProcessInfo.processInfo.environment["AIRLOCK_LOG_FORMAT"] == nil {
            LogBootstrap.bootstrap(format: .text, level: max(log.logLevel, .warning))
        } else {
            log.bootstrap()
        }
        let logger = Logger(label: "airlock")
        say("Starting a local kube-apiserver + etcd (binaries: hack/kube-assets.sh or KUBEBUILDER_ASSETS)...")
        let plane = try await TestControlPlane.start()
        say(
            "API server \(plane.server.absoluteString) ready in \(plane.startDuration); admin kubeconfig: \(plane.kubeconfigPath)"
        )
        do {
            try await runAirlock(plane: plane, logger: logger)
        } catch {
            await plane.stop()
            throw error
        }
        await plane.stop()
    }

    private func runAirlock(plane: TestControlPlane, logger: Logger) async throws {
        let admin = plane.adminClient
        _ = try await admin.create(Namespace(name: "airlock-system"))
        let webhookPort = try FreePort.loopback(count: 1)[0]
        let endpoint = WebhookConfigurations.Endpoint.url("https://127.0.0.1:\(webhookPort)")
        _ = try await admin.create(WebhookConfigurations.mutating(endpoint: endpoint))
        _ = try await admin.create(WebhookConfigurations.validating(endpoint: endpoint))

        var options = try ControllerOptions.parse([])
        options.webhookPort = webhookPort
        options.webhookURL = "https://127.0.0.1:\(webhookPort)"
        options.metricsPort = try FreePort.loopback(count: 1)[0]
        options.controllerUsername = plane.configuration.adminUser
        options.leaderElect = false
        // Outside the control plane's directory, which goes when the demo stops.
        let auditDirectory = NSTemporaryDirectory() + "airlock-demo-\(getpid())"
        try FileManager.default.createDirectory(atPath: auditDirectory, withIntermediateDirectories: true)
        options.auditFile = auditDirectory + "/audit.jsonl"
        options.sweepInterval = KubeDuration(seconds: 10)
        var process = OperatorProcess(client: admin, options: options, logger: logger)
        process.webhookPolicy = WebhookTLSPolicy(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let exitAfter = exitAfterScenario
        let auditFile = options.auditFile!
        let metricsPort = options.metricsPort
        try await process.run { [plane] shutDown in
            do {
                try await DemoScenario(plane: plane).run()
                let chain = try AuditLog.verify(path: auditFile)
                say(
                    "Audit trail: \(chain.count) hash-chained entries in \(auditFile) (check: swift run airlock audit verify \(auditFile))"
                )
                say("Metrics: http://127.0.0.1:\(metricsPort)/metrics")
            } catch {
                say("The walk-through failed: \(error)")
            }
            if exitAfter {
                await shutDown()
            } else {
                say(
                    "Airlock keeps running. Try: kubectl --kubeconfig \(plane.kubeconfigPath) get areq -A  (Ctrl-C to stop)"
                )
            }
        }
    }
}

/// Prints a line of the walk-through.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data("[demo] \(text)\n".utf8))
}

/// The walk-through: an agent reads a ConfigMap (auto-approved), then asks to delete it
/// (needs a reviewer), uses its credential, and releases it.
struct DemoScenario {
    let plane: TestControlPlane

    func run() async throws {
        let admin = plane.adminClient
        let agent = try plane.client(as: "alice")
        let reviewer = try plane.client(as: "bob")
        _ = try await admin.create(Namespace(name: "shop"))
        _ = try await admin.create(
            ConfigMap(metadata: ObjectMeta(name: "checkout", namespace: "shop"), data: ["mode": "live"]))
        for (name, rules) in [
            (
                "agent",
                [
                    PolicyRule(
                        apiGroups: ["airlock.dev"], resources: ["actionrequests", "actionreviews"],
                        verbs: ["create", "get", "list"])
                ]
            ),
            (
                "reviewer",
                [
                    PolicyRule(
                        apiGroups: ["airlock.dev"], resources: ["actionrequests"], verbs: ["get", "list", "approve"]),
                    PolicyRule(apiGroups: ["airlock.dev"], resources: ["actionreviews"], verbs: ["create"]),
                ]
            ),
        ] {
            _ = try await admin.create(ClusterRole(metadata: ObjectMeta(name: "demo-\(name)"), rules: rules))
        }
        _ = try await admin.create(
            ClusterRoleBinding(
                metadata: ObjectMeta(name: "demo-agent"), subjects: [.user("alice")],
                roleRef: RoleRef(kind: "ClusterRole", name: "demo-agent")))
        _ = try await admin.create(
            ClusterRoleBinding(
                metadata: ObjectMeta(name: "demo-reviewer"), subjects: [.group("reviewers")],
                roleRef: RoleRef(kind: "ClusterRole", name: "demo-reviewer")))
        _ = try await admin.create(
            ApprovalPolicy(
                metadata: ObjectMeta(name: "reads-are-fine"),
                spec: ApprovalPolicySpec(
                    match: PolicyMatch(resources: ["configmaps"], verbs: ["get"]), decision: .autoApprove,
                    maxDuration: try KubeDuration(parsing: "15m"))))
        _ = try await admin.create(
            ApprovalPolicy(
                metadata: ObjectMeta(name: "deletes-need-a-reviewer"),
                spec: ApprovalPolicySpec(
                    match: PolicyMatch(verbs: ["delete"]), decision: .requireApproval,
                    approvals: ApprovalRequirement(required: 1, reviewers: ReviewerSet(groups: ["reviewers"])),
                    maxDuration: try KubeDuration(parsing: "30m"))))
        say(
            "Policies: 'reads-are-fine' (AutoApprove get configmaps), 'deletes-need-a-reviewer' (1 approval from group reviewers)."
        )

        say("alice (an agent) asks to read ConfigMap shop/checkout for 10m, claiming to be 'root' in spec.requester...")
        let read = try await agent.create(
            request(
                "read-checkout", reason: "inspect checkout config", verbs: ["get"], duration: "10m",
                forgedRequester: Identity(username: "root", groups: ["system:masters"])))
        say("  the webhook stamped the real requester: \(read.spec.requester?.username ?? "?") (signed)")
        let granted = try await waitForPhase(agent, "read-checkout", .granted)
        say(
            "  \(granted.status?.phase?.rawValue ?? "?"): \(granted.status?.conditions?[type: "Granted"]?.message ?? "")"
        )
        let secretName = granted.status?.credentialSecretName ?? ""
        let secret = try await agent.get(Secret.self, name: secretName, namespace: "shop")
        let token = String(decoding: secret.data?["token"] ?? Data(), as: UTF8.self)
        try await plane.withClient(token: token) { credential in
            let map = try await credential.get(ConfigMap.self, name: "checkout", namespace: "shop")
            say("  with the credential from Secret shop/\(secretName): checkout.mode = \(map.data?["mode"] ?? "?")")
            do {
                try await credential.delete(ConfigMap.self, name: "checkout", namespace: "shop")
                say("  unexpected: the credential could delete")
            } catch let error as KubernetesError where error.isForbidden {
                say("  ...and it cannot delete it (403): exactly the approved action, nothing more")
            }
        }

        say("alice asks to delete ConfigMap shop/checkout for 5m...")
        _ = try await agent.create(
            request("delete-checkout", reason: "rotate checkout config", verbs: ["delete"], duration: "5m"))
        let pending = try await waitForPhase(agent, "delete-checkout", .pending)
        say("  Pending: \(pending.status?.decision?.message ?? "")")
        _ = try await agent.create(review("delete-checkout", by: "alice-self", decision: .approve))
        try await waitFor(agent, "delete-checkout") { $0.status?.reviews?.contains { !$0.counted } == true }
        let rejected = try await agent.get(ActionRequest.self, name: "delete-checkout", namespace: "shop")
        say(
            "  alice approving her own request is recorded and rejected: \(rejected.status?.reviews?.first?.rejectedReason ?? "")"
        )
        _ = try await reviewer.create(review("delete-checkout", by: "bob", decision: .approve, duration: "2m"))
        let approved = try await waitForPhase(agent, "delete-checkout", .granted)
        say("  bob approved for 2m: \(approved.status?.conditions?[type: "Granted"]?.message ?? "")")
        _ = try await agent.create(review("delete-checkout", by: "alice", decision: .revoke))
        let revoked = try await waitForPhase(agent, "delete-checkout", .revoked)
        say(
            "  alice released it early: \(revoked.status?.conditions?[type: "Revoked"]?.message ?? ""); its grants are gone"
        )
        say("Walk-through done.")
    }

    private func request(
        _ name: String, reason: String, verbs: [String], duration: String, forgedRequester: Identity? = nil
    ) throws -> ActionRequest {
        ActionRequest(
            metadata: ObjectMeta(name: name, namespace: "shop"),
            spec: ActionRequestSpec(
                reason: reason, duration: try KubeDuration(parsing: duration),
                permissions: [
                    PermissionRule(
                        namespace: "shop", apiGroups: [""], resources: ["configmaps"], verbs: verbs,
                        resourceNames: ["checkout"])
                ],
                requester: forgedRequester))
    }

    private func review(
        _ request: String, by name: String, decision: ReviewDecision, duration: String? = nil
    ) throws -> ActionReview {
        ActionReview(
            metadata: ObjectMeta(name: "\(request)-\(name)-\(decision.rawValue.lowercased())", namespace: "shop"),
            spec: ActionReviewSpec(
                request: request, decision: decision, duration: try duration.map { try KubeDuration(parsing: $0) },
                comment: "demo"))
    }

    private func waitForPhase(
        _ client: KubernetesClient, _ name: String, _ phase: ActionRequestPhase
    ) async throws -> ActionRequest {
        try await waitFor(client, name) { $0.status?.phase == phase }
        return try await client.get(ActionRequest.self, name: name, namespace: "shop")
    }

    private func waitFor(
        _ client: KubernetesClient, _ name: String, _ condition: @escaping (ActionRequest) -> Bool
    ) async throws {
        try await eventually("\(name)", timeout: .seconds(30), interval: .milliseconds(50)) {
            condition(try await client.get(ActionRequest.self, name: name, namespace: "shop"))
        }
    }
}
