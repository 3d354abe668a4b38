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

/// Airlock with the Teams bot, as users meet it: an ``AirlockFixture`` plus a
/// ``KubeTesting/FakeTeamsServer`` (token service, OpenID metadata + JWKS, Bot Connector) on
/// loopback, the bot's Secret and the user-mapping ConfigMap in the controller's namespace, a
/// policy announcing requests in ``conversationID``, and the chat listener
/// (`POST /teams/messages`).
///
/// Teams users: alice (the requester) and bob (a reviewer, with his Teams id for the card's
/// automatic refresh) through the ConfigMap; carol (a reviewer) through her email
/// (member look-up); nobody is mapped to no one.
final class TeamsFixture: Sendable {
    static let conversationID = "19:approvals@thread.tacv2"
    static let secretName = "airlock-teams"
    static let users: [FakeTeamsServer.User] = [
        .init(id: "29:alice", aadObjectID: "aaaaaaaa-0000-4000-8000-000000000001", name: "alice"),
        .init(id: "29:bob", aadObjectID: "aaaaaaaa-0000-4000-8000-000000000002", name: "bob"),
        .init(
            id: "29:carol", aadObjectID: "aaaaaaaa-0000-4000-8000-000000000003", name: "carol",
            email: "carol@example.com"),
        .init(id: "29:nobody", aadObjectID: "aaaaaaaa-0000-4000-8000-000000000009", name: "nobody"),
    ]
    static let mapping = [
        "aaaaaaaa-0000-4000-8000-000000000001": "alice",
        "aaaaaaaa-0000-4000-8000-000000000002": #"{"username": "bob", "teamsUserId": "29:bob"}"#,
    ]

    let airlock: AirlockFixture
    let teams: FakeTeamsServer
    let service: TeamsInteractionService
    let port: Int
    private let server: Task<Void, any Error>

    var namespace: String { airlock.namespace }
    var admin: KubernetesClient { airlock.admin }
    var notifier: Notifier { airlock.airlock.notifier! }
    /// The bot's messaging endpoint.
    var url: String { "http://127.0.0.1:\(port)\(ChatServer.teamsMessagesPath)" }
    var conversation: TeamsConversationRef {
        TeamsConversationRef(serviceUrl: teams.serviceURL, conversationId: Self.conversationID)
    }

    private init(
        airlock: AirlockFixture, teams: FakeTeamsServer, service: TeamsInteractionService, port: Int,
        server: Task<Void, any Error>
    ) {
        self.airlock = airlock
        self.teams = teams
        self.service = service
        self.port = port
        self.server = server
    }

    /// Runs `body` with everything started; always stops it.
    static func with(
        _ prefix: String, timings: (@Sendable (TeamsInteractionService.Timing) -> Void)? = nil,
        _ body: (TeamsFixture) async throws -> Void
    ) async throws {
        let teams = try await FakeTeamsServer.start(users: users)
        do {
            try await AirlockFixture.with(
                prefix,
                configure: { configuration, controller, namespace in
                    try await prepare(&configuration, teams: teams, controller: controller, namespace: namespace)
                }
            ) { airlock in
                let fixture = try await start(airlock: airlock, teams: teams, timings: timings)
                do {
                    try await body(fixture)
                } catch {
                    await fixture.stopServer()
                    throw error
                }
                await fixture.stopServer()
            }
        } catch {
            await teams.stop()
            throw error
        }
        await teams.stop()
    }

    private static func prepare(
        _ configuration: inout OperatorConfiguration, teams: FakeTeamsServer, controller: KubernetesClient,
        namespace: String
    ) async throws {
        let admin = try await TestControlPlane.shared().adminClient
        _ = try await admin.create(
            Secret(
                metadata: ObjectMeta(name: secretName, namespace: namespace),
                data: [
                    TeamsConnection.appIDKey: Data(teams.appID.utf8),
                    TeamsConnection.appPasswordKey: Data(teams.appPassword.utf8),
                ]))
        _ = try await admin.create(
            ConfigMap(metadata: ObjectMeta(name: "airlock-teams-users", namespace: namespace), data: mapping))
        try await AirlockFixture.installControllerRole("airlock-chat", in: namespace, admin: admin)
        var logger = Logger(label: "test.teams")
        logger.logLevel = ProcessInfo.processInfo.environment["AIRLOCK_TEST_LOG"] == nil ? .critical : .info
        let connection = TeamsConnection(
            settings: TeamsConnection.Settings(
                secretName: secretName, namespace: namespace, tenantIDs: [teams.tenantID], tokenURL: teams.tokenURL,
                metadataURL: teams.metadataURL, serviceURLPrefixes: [teams.serviceURL],
                emailRule: .localPart(domains: ["example.com"])),
            kubernetes: controller, logger: logger)
        configuration.chat = ChatConfiguration(
            namespace: namespace, teams: connection, eventSource: "/airlock/test",
            retry: ExponentialBackoff(initial: .milliseconds(200), maximum: .seconds(2)))
    }

    private static func start(
        airlock: AirlockFixture, teams: FakeTeamsServer,
        timings: (@Sendable (TeamsInteractionService.Timing) -> Void)?
    ) async throws -> TeamsFixture {
        let service = TeamsInteractionService(
            teams: airlock.configuration.chat!.teams!, client: airlock.controllerClient,
            requests: airlock.airlock.controller.primary.store, controllerUsername: "controller",
            logger: airlock.logger,
            // The outcome, not the 4 s budget (unit-tested), is under test here.
            timings: timings, answerBudget: .seconds(30))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = ChatServer.application(
            host: "127.0.0.1", port: 0, teams: { body, headers in await service.handle(body: body, headers: headers) },
            onListening: { continuation.yield($0) }, logger: airlock.logger)
        let server = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            server.cancel()
            throw KubeTestingError(.startFailed, "the chat listener did not start")
        }
        return TeamsFixture(airlock: airlock, teams: teams, service: service, port: port, server: server)
    }

    private func stopServer() async {
        server.cancel()
        _ = await server.result
    }

    // MARK: Helpers

    /// A RequireApproval policy announcing to the fixture's conversation.
    func policy(required: Int = 1) async throws {
        try await airlock.policy(
            "teams",
            ApprovalPolicySpec(
                decision: .requireApproval, approvals: ApprovalRequirement(required: required),
                maxDuration: KubeDuration(seconds: 7200), notify: NotificationTargets(teamsConversation: conversation)))
    }

    /// The Teams entry of the request's `status.notifications`.
    func teamsState(_ name: String) async throws -> NotificationState? {
        try await airlock.get(name).status?.notifications?.first { $0.channel == AirlockConstants.Channel.teams }
    }

    /// Waits until the request's card is posted and recorded; returns it as the connector holds it.
    func card(_ name: String, timeout: Duration = .seconds(20)) async throws -> FakeTeamsServer.Activity {
        try await eventuallyValue("the Teams card of \(name)", timeout: timeout, interval: .milliseconds(50)) {
            guard let id = try await teamsState(name)?.messageRef else { return nil }
            return teams.activities.first { $0.id == id }
        }
    }

    /// Cards (not replies) posted about `name`.
    func cardPosts(_ name: String) -> [FakeTeamsServer.Activity] {
        teams.activities.filter {
            $0.replyToID == nil && $0.body["summary"]?.stringValue?.contains("/\(name)/") == true
        }
    }

    /// Replies under `card`.
    func replies(_ card: FakeTeamsServer.Activity) -> [FakeTeamsServer.Activity] {
        teams.activities.filter { $0.replyToID == card.id }
    }

    /// `verb` clicked by `user` on the request's card: the HTTP status and the invoke response.
    func click(
        _ verb: TeamsVerb, on name: String, by user: String, inputs: [String: String] = [:], token: String? = nil
    ) async throws -> (status: Int, answer: JSONValue?) {
        let request = try await airlock.get(name)
        let reference = "\(namespace)/\(name)/\(request.metadata.uid ?? "")"
        let invoke = teams.invoke(
            verb.rawValue, request: reference, user: teams.user(user), inputs: inputs,
            conversation: Self.conversationID, replyToID: try await teamsState(name)?.messageRef, token: token)
        let (status, body) = try await teams.post(invoke, to: url)
        return (status, try? KubeJSON.decode(JSONValue.self, from: Data(body.utf8)))
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

/// Texts and action verbs of Adaptive Cards, for assertions.
enum AdaptiveCards {
    static func text(_ card: JSONValue?) -> String {
        func strings(_ value: JSONValue) -> [String] {
            switch value {
            case .string(let text): [text]
            case .array(let items): items.flatMap(strings)
            case .object(let members): members.keys.sorted().flatMap { strings(members[$0]!) }
            default: []
            }
        }
        return card.map { strings($0).joined(separator: "\n") } ?? ""
    }

    static func verbs(_ card: JSONValue?) -> [String] {
        guard case .array(let actions)? = card?["actions"] else { return [] }
        return actions.compactMap { $0["verb"]?.stringValue }
    }
}
