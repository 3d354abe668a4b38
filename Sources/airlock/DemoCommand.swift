import AirlockAdmission
import AirlockChat
import AirlockController
import AirlockServer
import ArgumentParser
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Logging

/// `airlock demo`: Airlock's main job on this machine, with no cluster and no Slack account —
/// a real etcd + kube-apiserver on loopback, Airlock with its admission webhook and chat
/// listener, and the local approval inbox (a web page standing in for Slack). An agent asks
/// for access; the card appears in the inbox; a click approves it; the agent uses exactly
/// that access until it expires; the audit chain is verified.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run Airlock locally (real API server, approval inbox in your browser) and walk through a request.")

    @OptionGroup var log: LogOptions

    @Flag(help: "Click Approve for you and exit at the end (CI); otherwise the demo waits for your click.")
    var scripted = false

    @Option(help: "How long the agent asks for access (the expiry is shown at its end).")
    var grantDuration: KubeDuration = KubeDuration(seconds: 20)

    func run() async throws {
        if log.logFormat == .json, ProcessInfo.processInfo.environment["AIRLOCK_LOG_FORMAT"] == nil {
            LogBootstrap.bootstrap(format: .text, level: max(log.logLevel, .warning))
        } else {
            log.bootstrap()
        }
        let progress = DemoProgress.fromEnvironment()
        progress.say("Starting a local kube-apiserver + etcd (binaries: hack/kube-assets.sh or KUBEBUILDER_ASSETS)...")
        let plane = try await TestControlPlane.start()
        progress.say(
            "API server \(plane.server.absoluteString) ready in \(plane.startDuration.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))"
        )
        // Fresh secrets: the chat listener is reachable from the network, and a known signing
        // secret would let anyone there forge clicks.
        let inbox = try await FakeSlackServer.start(
            token: "xoxb-demo-" + DemoSetup.randomHex(), signingSecret: DemoSetup.randomHex(),
            users: DemoSetup.slackUsers)
        do {
            try await runAirlock(plane: plane, inbox: inbox, progress: progress)
        } catch {
            await inbox.stop()
            await plane.stop()
            throw error
        }
        await inbox.stop()
        await plane.stop()
    }

    private func runAirlock(plane: TestControlPlane, inbox: FakeSlackServer, progress: DemoProgress) async throws {
        let setup = try await DemoSetup.install(plane: plane, inbox: inbox)
        progress.say("Approval inbox (plays Slack's part): \(inbox.inboxURL)")
        let process = OperatorProcess(
            client: plane.adminClient, options: setup.options, logger: Logger(label: "airlock"), chat: setup.chat,
            webhookPolicy: WebhookTLSPolicy(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"]))
        let scripted = self.scripted
        let duration = grantDuration
        let (chatPort, interactionURL, auditFile) = (setup.chatPort, setup.interactionURL, setup.auditFile)
        try await process.run { [plane] shutDown in
            progress.say(
                "Airlock is running: admission webhook, controller, chat listener on 127.0.0.1:\(chatPort)")
            inbox.connectInbox(interactionURL: interactionURL, reviewer: DemoSetup.reviewerSlackID)
            do {
                let walkthrough = DemoWalkthrough(
                    plane: plane, inbox: inbox, progress: progress, scripted: scripted, duration: duration)
                try await walkthrough.run()
                let chain = try AuditLog.verify(path: auditFile)
                progress.step(
                    "Audit chain verified: \(chain.count) hash-chained entries, last hash \(chain.lastHash.prefix(12))... "
                        + "(airlock audit verify \(auditFile))")
                progress.summary()
            } catch {
                progress.say("The walk-through failed: \(error)")
                if scripted { progress.failed.store(true, ordering: .relaxed) }
            }
            if scripted {
                await shutDown()
            } else {
                progress.say(
                    "Airlock keeps running; the inbox stays at \(inbox.inboxURL). Explore with: "
                        + "kubectl --kubeconfig \(plane.kubeconfigPath) get areq -A   (Ctrl-C to stop)")
            }
        }
        if progress.failed.load(ordering: .relaxed) { throw ExitCode(1) }
    }
}

/// What the demo installs besides the CRDs (which the control plane has): Airlock's namespace
/// and webhook configurations, the Slack credentials the inbox accepts, and the mapping of the
/// inbox's reviewer to a Kubernetes user.
struct DemoSetup {
    static let reviewerSlackID = "U0BOB"
    static let slackUsers: [FakeSlackServer.User] = [
        .init(id: "U0BOB", name: "bob (SRE)"), .init(id: "U0ALICE", name: "alice (agent owner)"),
    ]
    static let namespace = "airlock-system"

    static func randomHex() -> String {
        (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined()
    }

    var options: ControllerOptions
    var chat: ChatOptions
    var chatPort: Int
    var auditFile: String
    var interactionURL: String { "http://127.0.0.1:\(chatPort)\(ChatServer.slackInteractionsPath)" }

    static func install(plane: TestControlPlane, inbox: FakeSlackServer) async throws -> DemoSetup {
        let admin = plane.adminClient
        _ = try await admin.create(Namespace(name: namespace))
        let ports = try FreePort.loopback(count: 3)
        let endpoint = WebhookConfigurations.Endpoint.url("https://127.0.0.1:\(ports[0])")
        _ = try await admin.create(WebhookConfigurations.mutating(endpoint: endpoint))
        _ = try await admin.create(WebhookConfigurations.validating(endpoint: endpoint))
        _ = try await admin.create(
            Secret(
                metadata: ObjectMeta(name: "airlock-slack", namespace: namespace),
                data: [
                    SlackConnection.tokenKey: Data(inbox.token.utf8),
                    SlackConnection.signingSecretKey: Data(inbox.signingSecret.utf8),
                ]))
        _ = try await admin.create(
            ConfigMap(
                metadata: ObjectMeta(name: "airlock-slack-users", namespace: namespace),
                data: [reviewerSlackID: #"{"username": "bob", "groups": ["sre"]}"#]))

        var options = try ControllerOptions.parse([])
        options.namespace = namespace
        options.webhookPort = ports[0]
        options.webhookURL = "https://127.0.0.1:\(ports[0])"
        options.metricsPort = ports[1]
        options.controllerUsername = plane.configuration.adminUser
        options.leaderElect = false
        options.sweepInterval = KubeDuration(seconds: 5)
        // Outside the control plane's directory, which goes when the demo stops.
        let auditDirectory = NSTemporaryDirectory() + "airlock-demo-\(getpid())"
        try FileManager.default.createDirectory(atPath: auditDirectory, withIntermediateDirectories: true)
        options.auditFile = auditDirectory + "/audit.jsonl"
        let chat = try ChatOptions.parse([
            "--chat-port", String(ports[2]), "--slack-secret", "airlock-slack", "--slack-api-url", inbox.baseURL,
            "--slack-response-url-prefix", inbox.responseURLPrefix, "--slack-team-id", inbox.teamID,
            "--no-slack-email-mapping",
        ])
        return DemoSetup(options: options, chat: chat, chatPort: ports[2], auditFile: options.auditFile!)
    }
}
