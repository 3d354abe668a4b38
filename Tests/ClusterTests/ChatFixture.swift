import AirlockAPI
import AirlockChat
import AirlockController
import AirlockServer
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTesting
import Logging
import Synchronization

/// Airlock with Slack and event webhooks, as users meet it: an ``AirlockFixture`` (admission
/// webhook, controller holding the manifests' roles — the chat Role included — and people bound
/// to the manifests' roles) plus a ``KubeTesting/FakeSlackServer`` on loopback, the Slack
/// credentials Secret and the user-mapping ConfigMap in the controller's namespace (the
/// fixture's namespace here), a policy announcing requests in ``channel``, and the running
/// controller's chat listener (`POST /slack/interactions`).
///
/// Slack users: `U0ALICE` (alice, the requester), `U0BOB` (bob, reviewer) and `U0DAVE` (dave,
/// requester role only) through the ConfigMap; `U0CAROL` (reviewer) through her profile email;
/// `U0NOBODY` is mapped to no one.
final class ChatFixture: Sendable {
    static let channel = "C0APPROVALS"
    static let secretName = "airlock-slack"
    static let users: [FakeSlackServer.User] = [
        .init(id: "U0ALICE", name: "alice", email: "alice@elsewhere.org"),
        .init(id: "U0BOB", name: "bob"),
        .init(id: "U0CAROL", name: "carol", email: "carol@example.com"),
        .init(id: "U0DAVE", name: "dave"),
        .init(id: "U0NOBODY", name: "nobody"),
    ]
    static let mapping = ["U0ALICE": "alice", "U0BOB": "bob", "U0DAVE": "dave"]

    let airlock: AirlockFixture
    let slack: FakeSlackServer
    let service: SlackInteractionService
    let port: Int
    private let server: Task<Void, any Error>

    var namespace: String { airlock.namespace }
    var admin: KubernetesClient { airlock.admin }
    var notifier: Notifier { airlock.airlock.notifier! }
    /// The interactivity Request URL of the running controller.
    var url: String { "http://127.0.0.1:\(port)\(ChatServer.slackInteractionsPath)" }

    private init(
        airlock: AirlockFixture, slack: FakeSlackServer, service: SlackInteractionService, port: Int,
        server: Task<Void, any Error>
    ) {
        self.airlock = airlock
        self.slack = slack
        self.service = service
        self.port = port
        self.server = server
    }

    /// Runs `body` with everything started; always stops it. `leaderElection` makes the
    /// controller a candidate (`first`) for a Lease in the fixture's namespace; `configure`
    /// adjusts the chat settings.
    static func with(
        _ prefix: String, leaderElection: Bool = false,
        configure: (@Sendable (inout ChatConfiguration) -> Void)? = nil, _ body: (ChatFixture) async throws -> Void
    ) async throws {
        let slack = try await FakeSlackServer.start(users: users)
        do {
            try await AirlockFixture.with(
                prefix,
                configure: { configuration, controller, namespace in
                    try await prepare(&configuration, slack: slack, controller: controller, namespace: namespace)
                    if leaderElection {
                        try await AirlockFixture.installControllerRole(
                            "airlock-leader-election", in: namespace, admin: TestControlPlane.shared().adminClient)
                        configuration.leaderElection = LeaderElectionConfiguration(
                            leaseName: "airlock", namespace: namespace, identity: "first",
                            leaseDuration: .seconds(4), renewDeadline: .seconds(3), retryPeriod: .milliseconds(200))
                    }
                    if let configure, var chat = configuration.chat {
                        configure(&chat)
                        configuration.chat = chat
                    }
                }
            ) { airlock in
                let fixture = try await start(airlock: airlock, slack: slack)
                do {
                    try await body(fixture)
                } catch {
                    await fixture.stopServer()
                    throw error
                }
                await fixture.stopServer()
            }
        } catch {
            await slack.stop()
            throw error
        }
        await slack.stop()
    }

    /// The Slack Secret and user ConfigMap, the chat Role, and the chat settings.
    private static func prepare(
        _ configuration: inout OperatorConfiguration, slack: FakeSlackServer, controller: KubernetesClient,
        namespace: String
    ) async throws {
        let admin = try await TestControlPlane.shared().adminClient
        _ = try await admin.create(
            Secret(
                metadata: ObjectMeta(name: secretName, namespace: namespace),
                data: [
                    SlackConnection.tokenKey: Data(slack.token.utf8),
                    SlackConnection.signingSecretKey: Data(slack.signingSecret.utf8),
                ]))
        _ = try await admin.create(
            ConfigMap(metadata: ObjectMeta(name: "airlock-slack-users", namespace: namespace), data: mapping))
        try await AirlockFixture.installControllerRole("airlock-chat", in: namespace, admin: admin)
        var logger = Logger(label: "test.slack")
        logger.logLevel = ProcessInfo.processInfo.environment["AIRLOCK_TEST_LOG"] == nil ? .critical : .info
        let connection = SlackConnection(
            settings: SlackConnection.Settings(
                source: .secret(name: secretName), namespace: namespace, baseURL: slack.baseURL,
                responseURLPrefixes: [slack.responseURLPrefix],
                mapping: SlackUserMapping(
                    configMapName: "airlock-slack-users", emailRule: .localPart(domains: ["example.com"])),
                allowedTeamIDs: [slack.teamID]),
            kubernetes: controller, logger: logger)
        configuration.chat = ChatConfiguration(
            namespace: namespace, slack: connection, eventSource: "/airlock/test",
            retry: ExponentialBackoff(initial: .milliseconds(200), maximum: .seconds(2)))
    }

    private static func start(airlock: AirlockFixture, slack: FakeSlackServer) async throws -> ChatFixture {
        let service = SlackInteractionService(
            slack: airlock.configuration.chat!.slack!, client: airlock.controllerClient,
            requests: airlock.airlock.controller.primary.store, controllerUsername: "controller",
            // The outcome, not the 2.5 s budget (unit-tested), is under test here.
            logger: airlock.logger, answerBudget: .seconds(30))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = ChatServer.application(
            host: "127.0.0.1", port: 0, slack: { body, headers in await service.handle(body: body, headers: headers) },
            onListening: { continuation.yield($0) }, logger: airlock.logger)
        let server = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            server.cancel()
            throw KubeTestingError(.startFailed, "the chat listener did not start")
        }
        return ChatFixture(airlock: airlock, slack: slack, service: service, port: port, server: server)
    }

    private func stopServer() async {
        server.cancel()
        _ = await server.result
    }

    // MARK: Policies and requests

    /// A RequireApproval policy announcing to ``channel`` (and `webhook`), `required` approvals.
    func policy(_ suffix: String = "slack", required: Int = 1, webhook: SecretKeyRef? = nil) async throws {
        try await airlock.policy(
            suffix,
            ApprovalPolicySpec(
                decision: .requireApproval, approvals: ApprovalRequirement(required: required),
                maxDuration: KubeDuration(seconds: 7200),
                notify: NotificationTargets(slackChannel: Self.channel, webhookSecret: webhook)))
    }

    /// The Slack entry of the request's `status.notifications`.
    func slackState(_ name: String) async throws -> NotificationState? {
        try await airlock.get(name).status?.notifications?.first { $0.channel == AirlockConstants.Channel.slack }
    }

    /// Waits until the request's card is posted and recorded; returns it as Slack holds it.
    func card(_ name: String, timeout: Duration = .seconds(20)) async throws -> FakeSlackServer.Message {
        try await eventuallyValue("the card of \(name)", timeout: timeout, interval: .milliseconds(50)) {
            guard let ref = try await slackState(name)?.messageRef.flatMap(SlackMessageRef.init(parsing:)) else {
                return nil
            }
            return slack.message(channel: ref.channel, ts: ref.ts)
        }
    }

    /// Successful `chat.postMessage` calls of cards (not thread replies) about request `uid`.
    func cardPosts(uid: String) -> [FakeSlackServer.Call] {
        slack.calls("chat.postMessage").filter {
            $0.succeeded && $0.threadTS == nil && $0.metadata?["event_payload"]?["uid"] == .string(uid)
        }
    }

    /// Thread replies under `card`.
    func replies(_ card: FakeSlackServer.Message) -> [FakeSlackServer.Message] {
        slack.replies(channel: card.channel, threadTS: card.ts)
    }

    /// Clicks `action` on the request's card as `user` (the card as Slack holds it now).
    func click(
        _ action: String, on name: String, user: String, option: String? = nil
    ) async throws -> (status: Int, body: String) {
        let card = try await card(name)
        return try await slack.post(slack.blockActions(clicking: action, on: card, user: user, option: option), to: url)
    }

    /// The ephemeral notes posted to `response_url`s so far, waiting for those in flight.
    func notes() async throws -> [String] {
        try await eventually("follow-up notes sent", timeout: .seconds(10)) { service.pendingFollowUps == 0 }
        return slack.responsePosts.compactMap { $0.body["text"]?.stringValue }
    }

    /// The ActionReviews of request `name`.
    func reviews(of name: String) async throws -> [ActionReview] {
        try await admin.listAll(ActionReview.self, namespace: namespace).items.filter { $0.spec.request == name }
    }

    /// Waits until the notifier has nothing queued or in flight.
    func settle(_ notifier: Notifier? = nil) async throws {
        let notifier = notifier ?? self.notifier
        try await eventually("the notifier idle", timeout: .seconds(20), interval: .milliseconds(20)) {
            let stats = await notifier.queue.stats
            return stats.depth == 0 && stats.processing == 0
        }
    }
}
