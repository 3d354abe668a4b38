import AirlockAPI
import AirlockAdmission
import AirlockChat
import AirlockController
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// The `airlock controller` binary wired for Teams by its flags only (`--teams-secret`,
/// `--teams-tenant-id`, the Microsoft URLs, `--chat-port`), against its own API server and the
/// fake Teams side: it posts the card, takes an authenticated Approve on `/teams/messages`,
/// grants, updates the card — and logs neither the app password nor the bot's access token.
@Suite struct TeamsProcessTests {
    @Test func theShippedBinaryPostsTheCardAndTakesTheClick() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: ControllerProcessTests.binary),
            "build the executable first: swift build --build-tests (hack/test.sh does)")
        let plane = try await TestControlPlane.start()
        let bob = FakeTeamsServer.User(
            id: "29:bob", aadObjectID: "aaaaaaaa-0000-4000-8000-000000000002", name: "bob", email: "bob@example.com")
        let teams = try await FakeTeamsServer.start(users: [bob])
        let admin = plane.adminClient
        let ports = try FreePort.loopback(count: 3)
        let output = plane.directory.appendingPathComponent("teams-controller.log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        do {
            _ = try await admin.create(Namespace(name: "airlock-system"))
            _ = try await admin.create(Namespace(name: "team"))
            _ = try await admin.create(
                Secret(
                    metadata: ObjectMeta(name: "airlock-teams", namespace: "airlock-system"),
                    data: [
                        TeamsConnection.appIDKey: Data(teams.appID.utf8),
                        TeamsConnection.appPasswordKey: Data(teams.appPassword.utf8),
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
            let conversation = TeamsConversationRef(
                serviceUrl: teams.serviceURL, conversationId: "19:process@thread.v2")
            _ = try await admin.create(
                ApprovalPolicy(
                    metadata: ObjectMeta(name: "team-teams"),
                    spec: ApprovalPolicySpec(
                        match: PolicyMatch(requestNamespaces: ["team"]), decision: .requireApproval,
                        notify: NotificationTargets(teamsConversation: conversation))))

            process.executableURL = URL(fileURLWithPath: ControllerProcessTests.binary)
            process.arguments = [
                "controller", "--kubeconfig", plane.kubeconfigPath, "--namespace", "airlock-system",
                "--controller-username", "admin", "--metrics-port", "\(ports[0])", "--webhook-port", "\(ports[1])",
                "--webhook-ip", "127.0.0.1", "--webhook-url", "https://127.0.0.1:\(ports[1])", "--no-leader-elect",
                "--teams-secret", "airlock-teams", "--teams-tenant-id", teams.tenantID, "--teams-token-url",
                teams.tokenURL, "--teams-openid-url", teams.metadataURL, "--teams-service-url-prefix", teams.serviceURL,
                "--teams-email-domain", "example.com", "--chat-port", "\(ports[2])",
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
            let created = try await eventuallyValue(
                "the request created", timeout: .seconds(60), interval: .milliseconds(200)
            ) {
                guard !process.hasExited else {
                    throw KubeTestingError(
                        .other, "controller exited: \(try String(contentsOf: output, encoding: .utf8))")
                }
                return try? await alice.create(request)
            }
            let card = try await eventuallyValue("the card", timeout: .seconds(30), interval: .milliseconds(100)) {
                teams.activities.first { $0.conversation == conversation.conversationId && $0.replyToID == nil }
            }
            let url = "http://127.0.0.1:\(ports[2])/teams/messages"
            let click = teams.invoke(
                "approve", request: "team/fix-db/\(created.metadata.uid ?? "")", user: bob,
                conversation: conversation.conversationId, replyToID: card.id)
            var unsigned = click
            unsigned.headers = [:]
            #expect(try await teams.post(unsigned, to: url).status == 401)
            let (status, body) = try await teams.post(click, to: url)
            #expect(status == 200)
            #expect(body.contains("application/vnd.microsoft.card.adaptive"))
            try await eventually("Granted", timeout: .seconds(30)) {
                try await admin.get(ActionRequest.self, name: "fix-db", namespace: "team").status?.phase == .granted
            }
            try await eventually("the card updated", timeout: .seconds(30)) {
                (teams.activities.first { $0.id == card.id }?.updates ?? 0) > 0
            }
            let granted = try await admin.get(ActionRequest.self, name: "fix-db", namespace: "team")
            #expect(granted.status?.reviews?.first?.reviewer == "bob")
            #expect(granted.status?.reviews?.first?.channel == "teams")

            kill(process.processIdentifier, SIGTERM)
            try await eventually("exited", timeout: .seconds(30), interval: .milliseconds(100)) { process.hasExited }
            #expect(process.exitStatus == 0)
            let log = try String(contentsOf: output, encoding: .utf8)
            #expect(!log.contains(teams.appPassword), "the app password leaked into the log")
            #expect(!log.contains("fake-access-token-"), "the bot's access token leaked into the log")
        } catch {
            if !process.hasExited { process.terminate() }
            await teams.stop()
            await plane.stop()
            throw error
        }
        await teams.stop()
        await plane.stop()
    }
}
