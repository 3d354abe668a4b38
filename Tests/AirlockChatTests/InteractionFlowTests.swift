import AirlockAPI
import AirlockChat
import Foundation
import KubeCore
import KubeTesting
import Logging
import Testing

/// The whole Slack loop over real sockets: SlackClient posts the card to FakeSlackServer, the
/// fake sends signed clicks and modal submissions to the interaction endpoint, which maps the
/// user (through `users.info` on the fake) and records the review.
@Suite struct InteractionFlowTests {
    static let users = [
        FakeSlackServer.User(id: "U1", name: "alice", email: "alice@example.com"),
        FakeSlackServer.User(id: "U2", name: "mallory", email: "mallory@example.com"),
        FakeSlackServer.User(id: "U3", name: "fixer-owner", email: "bob@example.com"),
        FakeSlackServer.User(id: "U9", name: "stranger"),
    ]

    /// A fake Slack, a client, the endpoint, and the card posted; `body` runs with them.
    func withCard(
        refuse: @escaping @Sendable (ChatReviewIntent) -> String? = { _ in nil },
        _ body: (FakeSlackServer, SlackClient, InteractionEndpoint, FakeSlackServer.Message) async throws -> Void
    ) async throws {
        try await FakeSlackServer.withServer(users: Self.users) { slack in
            var logger = Logger(label: "test.flow")
            logger.logLevel = .critical
            let client = SlackClient(
                token: ChatSecret(slack.token), baseURL: slack.baseURL, responseURLPrefixes: [slack.responseURLPrefix],
                logger: logger)
            let handler = SlackInteractionHandler(
                signature: SlackSignature(signingSecret: ChatSecret(slack.signingSecret)),
                mapper: SlackEmailUserMapper(directory: client, rule: .localPart(domains: ["example.com"])),
                allowedTeamIDs: [slack.teamID], logger: logger)
            let endpoint = try await InteractionEndpoint.start(handler: handler, client: client, refuse: refuse)
            do {
                let card = SlackApprovalCard(summary: Fixtures.summary())
                let ref = try await client.postMessage(
                    SlackMessage(channel: "#approvals", content: card.pending(), metadata: card.metadata))
                let message = try #require(slack.message(channel: ref.channel, ts: ref.ts))
                try await body(slack, client, endpoint, message)
                await endpoint.stop()
            } catch {
                await endpoint.stop()
                throw error
            }
        }
    }

    @Test func aSignedClickFromAMappedReviewerIsRecordedAndAnswered() async throws {
        try await withCard { slack, _, endpoint, message in
            let (status, _) = try await slack.post(
                slack.blockActions(clicking: SlackActionID.approve, on: message, user: "U1"), to: endpoint.url)
            #expect(status == 200)
            let intent = try #require(endpoint.intents.first)
            #expect(intent.request == Fixtures.reference)
            #expect(intent.decision == .approve)
            #expect(intent.username == "alice")
            #expect(intent.externalUser == "U1")
            #expect(intent.message == SlackMessageRef(channel: message.channel, ts: message.ts))
            #expect(slack.responsePosts.first?.body["text"] == "Your approval of agents/fix-db was recorded as alice.")
            #expect(slack.calls("users.info").count == 1)
        }
    }

    @Test func approveForLessRecordsTheShorterDuration() async throws {
        try await withCard { slack, _, endpoint, message in
            let (status, _) = try await slack.post(
                slack.blockActions(clicking: SlackActionID.approveFor, on: message, user: "U1", option: "15m"),
                to: endpoint.url)
            #expect(status == 200)
            #expect(endpoint.intents.first?.duration == KubeDuration(seconds: 900))
        }
    }

    @Test func denyOpensTheModalAndTheSubmittedReasonIsRecorded() async throws {
        try await withCard { slack, _, endpoint, message in
            let (status, _) = try await slack.post(
                slack.blockActions(clicking: SlackActionID.deny, on: message, user: "U1"), to: endpoint.url)
            #expect(status == 200)
            #expect(endpoint.intents.isEmpty)
            let view = try #require(slack.openedViews.first)
            #expect(view.view["callback_id"] == .string(SlackActionID.denyModalCallback))

            let empty = slack.viewSubmission(of: view, user: "U1", values: ["reason": ["reason": " "]])
            let (emptyStatus, emptyBody) = try await slack.post(empty, to: endpoint.url)
            #expect(emptyStatus == 200)
            #expect(emptyBody.contains(#""response_action":"errors""#))
            #expect(endpoint.intents.isEmpty)

            let submitted = slack.viewSubmission(
                of: view, user: "U1", values: ["reason": ["reason": "Use the runbook: restart via the operator."]])
            let (submittedStatus, submittedBody) = try await slack.post(submitted, to: endpoint.url)
            #expect(submittedStatus == 200)
            #expect(submittedBody.isEmpty)
            let intent = try #require(endpoint.intents.first)
            #expect(intent.decision == .deny)
            #expect(intent.comment == "Use the runbook: restart via the operator.")
            #expect(intent.message == SlackMessageRef(channel: message.channel, ts: message.ts))
        }
    }

    @Test func forgedAndReplayedClicksGet401AndChangeNothing() async throws {
        try await withCard { slack, _, endpoint, message in
            let forged = try slack.blockActions(
                clicking: SlackActionID.approve, on: message, user: "U1", signingSecret: "guessed-secret")
            #expect(try await slack.post(forged, to: endpoint.url).status == 401)
            var tampered = try slack.blockActions(clicking: SlackActionID.approve, on: message, user: "U1")
            tampered.body = tampered.body.replacingOccurrences(of: "U1", with: "U3")
            #expect(try await slack.post(tampered, to: endpoint.url).status == 401)
            let stale = try slack.blockActions(
                clicking: SlackActionID.approve, on: message, user: "U1", at: Date().addingTimeInterval(-400))
            #expect(try await slack.post(stale, to: endpoint.url).status == 401)
            #expect(endpoint.intents.isEmpty)

            let genuine = try slack.blockActions(clicking: SlackActionID.approve, on: message, user: "U1")
            #expect(try await slack.post(genuine, to: endpoint.url).status == 200)
            let (status, body) = try await slack.post(genuine, to: endpoint.url)
            #expect(status == 401)
            #expect(body.contains("replay"))
            #expect(endpoint.intents.count == 1)
        }
    }

    @Test func anUnmappedUserIsToldAndNothingIsRecorded() async throws {
        try await withCard { slack, _, endpoint, message in
            let (status, _) = try await slack.post(
                slack.blockActions(clicking: SlackActionID.approve, on: message, user: "U9"), to: endpoint.url)
            #expect(status == 200)
            #expect(endpoint.intents.isEmpty)
            let note = try #require(slack.responsePosts.first?.body["text"]?.stringValue)
            #expect(note.contains("not mapped to a Kubernetes user"))
            #expect(slack.responsePosts.first?.body["response_type"] == "ephemeral")
        }
    }

    @Test func aRefusedReviewIsExplainedToTheClicker() async throws {
        try await withCard(refuse: { $0.username == "bob" ? "you own the agent that asked" : nil }) {
            slack, _, endpoint, message in
            let (status, _) = try await slack.post(
                slack.blockActions(clicking: SlackActionID.approve, on: message, user: "U3"), to: endpoint.url)
            #expect(status == 200)
            #expect(endpoint.intents.isEmpty)
            #expect(slack.responsePosts.first?.body["text"] == ":no_entry: you own the agent that asked")
        }
    }
}
