import AirlockAPI
import AirlockAdmission
import AirlockChat
import AirlockController
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// The `airlock controller` binary wired for Slack by its flags only (`--slack-secret`,
/// `--chat-port`, ...), against its own API server and the fake Slack: it posts the card,
/// takes a signed click on its chat listener, grants, updates the card — and logs neither the
/// bot token nor the signing secret.
@Suite struct ChatProcessTests {
    @Test func theShippedBinaryPostsTheCardAndTakesTheClick() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: ControllerProcessTests.binary),
            "build the executable first: swift build --build-tests (hack/test.sh does)")
        let plane = try await TestControlPlane.start()
        let slack = try await FakeSlackServer.start(users: [.init(id: "U0BOB", name: "bob", email: "bob@example.com")])
        let admin = plane.adminClient
        let ports = try FreePort.loopback(count: 3)
        let output = plane.directory.appendingPathComponent("chat-controller.log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        do {
            _ = try await admin.create(Namespace(name: "airlock-system"))
            _ = try await admin.create(Namespace(name: "team"))
            _ = try await admin.create(
                Secret(
                    metadata: ObjectMeta(name: "airlock-slack", namespace: "airlock-system"),
                    data: [
                        SlackConnection.tokenKey: Data(slack.token.utf8),
                        SlackConnection.signingSecretKey: Data(slack.signingSecret.utf8),
                    ]))
            try await AirlockFixture.installUserRoles(admin)
            for (user, role) in [("alice", "airlock-requester"), ("bob", "airlock-reviewer")] {
                _ = try await admin.create(
                    RoleBinding(
                        metadata: ObjectMeta(name: user, namespace: "team"), subjects: [.user(user)],
                        roleRef: RoleRef(kind: "ClusterRole", name: "\(role)-test")))
            }
            let endpoint = WebhookConfigurations.Endpoint.url("https://127.0.0.1:\(ports[1])")
            _ = try await admin.create(WebhookConfigurations.mutating(endpoint: endpoint))
            _ = try await admin.create(WebhookConfigurations.validating(endpoint: endpoint))
            _ = try await admin.create(
                ApprovalPolicy(
                    metadata: ObjectMeta(name: "team-slack"),
                    spec: ApprovalPolicySpec(
                        match: PolicyMatch(requestNamespaces: ["team"]), decision: .requireApproval,
                        notify: NotificationTargets(slackChannel: "C0PROCESS"))))

            process.executableURL = URL(fileURLWithPath: ControllerProcessTests.binary)
            process.arguments = [
                "controller", "--kubeconfig", plane.kubeconfigPath, "--namespace", "airlock-system",
                "--controller-username", "admin", "--metrics-port", "\(ports[0])", "--webhook-port", "\(ports[1])",
                "--webhook-ip", "127.0.0.1", "--webhook-url", "https://127.0.0.1:\(ports[1])", "--no-leader-elect",
                "--slack-secret", "airlock-slack", "--slack-api-url", slack.baseURL, "--slack-response-url-prefix",
                slack.responseURLPrefix, "--slack-email-domain", "example.com", "--slack-team-id", slack.teamID,
                "--chat-port", "\(ports[2])",
            ]
            process.standardError = try FileHandle(forWritingTo: output)
            process.standardOutput = FileHandle.nullDevice
            try process.run()

            let alice = try plane.client(as: "alice")
            let request = ActionRequest(
                metadata: ObjectMeta(name: "fix-db", namespace: "team"),
                spec: ActionRequestSpec(
                    reason: "db-0 is wedged", duration: KubeDuration(seconds: 600),
                    permissions: [
                        PermissionRule(namespace: "team", apiGroups: [""], resources: ["pods"], verbs: ["delete"])
                    ], credential: .subject))
            // Created through the controller's webhook once it serves and its CA is registered.
            _ = try await eventuallyValue("the request created", timeout: .seconds(60), interval: .milliseconds(200)) {
                guard !process.hasExited else {
                    throw KubeTestingError(
                        .other, "controller exited: \(try String(contentsOf: output, encoding: .utf8))")
                }
                return try? await alice.create(request)
            }
            let card = try await eventuallyValue("the card", timeout: .seconds(30), interval: .milliseconds(100)) {
                slack.messages.first { $0.channel == "C0PROCESS" && $0.threadTS == nil }
            }
            let click = try slack.blockActions(clicking: SlackActionID.approve, on: card, user: "U0BOB")
            let (status, _) = try await slack.post(click, to: "http://127.0.0.1:\(ports[2])/slack/interactions")
            #expect(status == 200)
            try await eventually("Granted", timeout: .seconds(30)) {
                try await admin.get(ActionRequest.self, name: "fix-db", namespace: "team").status?.phase == .granted
            }
            try await eventually("the card updated", timeout: .seconds(30)) {
                slack.message(channel: card.channel, ts: card.ts)?.updates ?? 0 > 0
            }
            let granted = try await admin.get(ActionRequest.self, name: "fix-db", namespace: "team")
            #expect(granted.status?.reviews?.first?.reviewer == "bob")
            #expect(granted.status?.reviews?.first?.channel == "slack")

            kill(process.processIdentifier, SIGTERM)
            try await eventually("exited", timeout: .seconds(30), interval: .milliseconds(100)) { process.hasExited }
            #expect(process.exitStatus == 0)
            let log = try String(contentsOf: output, encoding: .utf8)
            #expect(!log.contains(slack.token), "the bot token leaked into the log")
            #expect(!log.contains(slack.signingSecret), "the signing secret leaked into the log")
        } catch {
            if !process.hasExited { process.terminate() }
            await slack.stop()
            await plane.stop()
            throw error
        }
        await slack.stop()
        await plane.stop()
    }
}
