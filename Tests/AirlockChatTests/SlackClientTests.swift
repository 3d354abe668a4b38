import AirlockChat
import Foundation
import KubeCore
import KubeTesting
import Logging
import Testing

/// SlackClient against FakeSlackServer over real loopback sockets.
@Suite struct SlackClientTests {
    static let users = [
        FakeSlackServer.User(id: "U1", name: "alice", email: "alice@example.com"),
        FakeSlackServer.User(id: "U2", name: "bot", email: "bot@example.com", isBot: true),
    ]

    func client(_ slack: FakeSlackServer, token: String? = nil) -> SlackClient {
        var logger = Logger(label: "test.slack")
        logger.logLevel = .critical
        return SlackClient(
            token: ChatSecret(token ?? slack.token), baseURL: slack.baseURL + "/",
            responseURLPrefixes: [slack.responseURLPrefix], logger: logger)
    }

    var card: SlackApprovalCard { SlackApprovalCard(summary: Fixtures.summary()) }

    @Test func postsTheCardWithMetadataThenUpdatesAndRepliesInItsThread() async throws {
        try await FakeSlackServer.withServer(users: Self.users) { slack in
            let client = client(slack)
            let ref = try await client.postMessage(
                SlackMessage(channel: "#airlock-approvals", content: card.pending(), metadata: card.metadata))
            #expect(ref.channel.hasPrefix("C"))
            let posted = try #require(slack.calls("chat.postMessage").first)
            #expect(posted.succeeded)
            #expect(posted.channel == "#airlock-approvals")
            #expect(posted.blocks == card.pending().blocks)
            #expect(posted.blocksJSON?.contains(#""action_id":"approve""#) == true)
            #expect(posted.metadata?["event_type"] == "airlock_approval_card")
            #expect(posted.metadata?["event_payload"]?["uid"] == .string(Fixtures.uid))

            var decided = Fixtures.pendingStatus()
            decided.phase = .denied
            let content = SlackApprovalCard(
                summary: try ApprovalSummary(request: Fixtures.request(status: decided))
            ).decided()
            #expect(try await client.update(ref, content: content) == ref)
            let message = try #require(slack.message(channel: ref.channel, ts: ref.ts))
            #expect(message.updates == 1)
            #expect(message.blocks == content.blocks)

            let reply = try await client.postMessage(
                SlackMessage(channel: ref.channel, text: "access ended", threadTS: ref.ts))
            #expect(slack.calls("chat.postMessage").last?.threadTS == ref.ts)
            #expect(slack.replies(channel: ref.channel, threadTS: ref.ts).map(\.ts) == [reply.ts])
        }
    }

    @Test func findsAPostedCardAgainByItsMetadataAcrossPages() async throws {
        try await FakeSlackServer.withServer { slack in
            let client = client(slack)
            let start = Date().addingTimeInterval(-60)
            let ref = try await client.postMessage(
                SlackMessage(channel: "C0APPROVALS", content: card.pending(), metadata: card.metadata))
            for index in 0..<450 {
                _ = try await client.postMessage(SlackMessage(channel: "C0APPROVALS", text: "noise \(index)"))
            }
            #expect(try await client.findMessage(channel: "C0APPROVALS", metadata: card.metadata, oldest: start) == ref)
            #expect(slack.calls("conversations.history").count == 3)
            #expect(slack.calls("conversations.history").first?.parameters["include_all_metadata"] == "true")
            let other = SlackMessageMetadata(
                approvalCardFor: ChatRequestReference(namespace: "agents", name: "fix-db", uid: "another-uid"))
            #expect(try await client.findMessage(channel: "C0APPROVALS", metadata: other, maxPages: 5) == nil)
            #expect(try await client.findMessage(channel: "C0ELSEWHERE", metadata: card.metadata) == nil)
        }
    }

    @Test func rateLimitIsARetryableErrorCarryingRetryAfter() async throws {
        try await FakeSlackServer.withServer { slack in
            slack.failNext(1, with: .rateLimited(retryAfter: 7), method: "chat.postMessage")
            let client = client(slack)
            let message = SlackMessage(channel: "C0APPROVALS", content: card.pending())
            let error = await #expect(throws: ChatError.self) { try await client.postMessage(message) }
            #expect(error?.kind == .rateLimited)
            #expect(error?.retryAfterSeconds == 7)
            #expect(error?.httpStatus == 429)
            #expect(error?.isRetryable == true)
            _ = try await client.postMessage(message)
            #expect(slack.calls("chat.postMessage").map(\.faulted) == [true, false])
            #expect(slack.messages.count == 1)
        }
    }

    @Test func serverErrorsAreRetryableAndSlackErrorsAreTyped() async throws {
        try await FakeSlackServer.withServer { slack in
            let client = client(slack)
            let message = SlackMessage(channel: "C0APPROVALS", content: card.pending())
            slack.failNext(1, with: .serverError(status: 503))
            let unavailable = await #expect(throws: ChatError.self) { try await client.postMessage(message) }
            #expect(unavailable?.kind == .unavailable)
            #expect(unavailable?.httpStatus == 503)
            #expect(unavailable?.isRetryable == true)

            slack.failNext(1, with: .slackError("not_in_channel"))
            let notInChannel = await #expect(throws: ChatError.self) { try await client.postMessage(message) }
            #expect(notInChannel?.kind == .api)
            #expect(notInChannel?.apiError == "not_in_channel")
            #expect(notInChannel?.isRetryable == false)
            #expect(notInChannel?.message.contains("invite the app") == true)

            let missing = await #expect(throws: ChatError.self) {
                try await client.update(
                    SlackMessageRef(channel: "C0APPROVALS", ts: "1.000001"), content: card.pending())
            }
            #expect(missing?.apiError == "message_not_found")
        }
    }

    @Test func aBadTokenIsNamedButNeverShown() async throws {
        try await FakeSlackServer.withServer { slack in
            let error = await #expect(throws: ChatError.self) {
                try await client(slack, token: "xoxb-wrong-token-123").postMessage(
                    SlackMessage(channel: "C0APPROVALS", text: "hi"))
            }
            #expect(error?.apiError == "invalid_auth")
            #expect(error?.message.contains("update the Secret") == true)
            #expect(!"\(String(describing: error))".contains("xoxb-wrong-token-123"))
            #expect(slack.messages.isEmpty)
        }
    }

    @Test func theFakeRejectsBlocksSlackWouldReject() async throws {
        try await FakeSlackServer.withServer { slack in
            let long = JSONValue.object([
                "type": "section", "text": ["type": "mrkdwn", "text": .string(String(repeating: "x", count: 3001))],
            ])
            let error = await #expect(throws: ChatError.self) {
                try await client(slack).postMessage(
                    SlackMessage(channel: "C0APPROVALS", content: SlackMessageContent(text: "t", blocks: [long])))
            }
            #expect(error?.apiError == "invalid_blocks")
            #expect(error?.message.contains("section text must be 1-3000 characters") == true)
        }
    }

    @Test func looksUpUsersAndFractionFaultsAreDeterministic() async throws {
        try await FakeSlackServer.withServer(users: Self.users) { slack in
            let client = client(slack)
            let alice = try await client.userInfo(id: "U1")
            #expect(alice == SlackUser(id: "U1", name: "alice", teamID: slack.teamID, email: "alice@example.com"))
            #expect(try await client.userInfo(id: "U2").isBot)
            let missing = await #expect(throws: ChatError.self) { try await client.userInfo(id: "U404") }
            #expect(missing?.apiError == "user_not_found")

            let mapper = SlackEmailUserMapper(directory: client, clock: TestClock())
            #expect(try await mapper.identity(for: ChatUser(id: "U1"))?.username == "alice@example.com")

            slack.failFraction(0.5, with: .serverError(), method: "users.info", seed: 42)
            var failures = 0
            for _ in 0..<40 {
                do { _ = try await client.userInfo(id: "U1") } catch { failures += 1 }
            }
            #expect((10...30).contains(failures))
            #expect(slack.calls("users.info").filter(\.faulted).count == failures)
        }
    }

    @Test func opensModalsWithTriggersTheFakeIssuedOnce() async throws {
        try await FakeSlackServer.withServer(users: Self.users) { slack in
            let client = client(slack)
            let ref = try await client.postMessage(SlackMessage(channel: "C0APPROVALS", content: card.pending()))
            let message = try #require(slack.message(channel: ref.channel, ts: ref.ts))
            let click = try slack.blockActions(clicking: SlackActionID.deny, on: message, user: "U1")
            let trigger = try #require(click.payload["trigger_id"]?.stringValue)
            let view = SlackDenyModal(request: Fixtures.reference, message: ref).view
            let id = try await client.openView(triggerID: trigger, view: view)
            #expect(id == slack.openedViews.first?.id)
            #expect(slack.openedViews.first?.view == view)
            let reused = await #expect(throws: ChatError.self) {
                try await client.openView(triggerID: trigger, view: view)
            }
            #expect(reused?.apiError == "exchanged_trigger_id")
            let unknown = await #expect(throws: ChatError.self) {
                try await client.openView(triggerID: "made-up", view: view)
            }
            #expect(unknown?.apiError == "invalid_trigger_id")
        }
    }

    @Test func answersThroughResponseURLsOnlyToAllowedPrefixes() async throws {
        try await FakeSlackServer.withServer(users: Self.users) { slack in
            let client = client(slack)
            let ref = try await client.postMessage(SlackMessage(channel: "C0APPROVALS", content: card.pending()))
            let message = try #require(slack.message(channel: ref.channel, ts: ref.ts))
            let click = try slack.blockActions(clicking: SlackActionID.approve, on: message, user: "U1")
            let url = try #require(click.payload["response_url"]?.stringValue)
            try await client.respond(to: url, text: "recorded")
            #expect(slack.responsePosts.first?.body["text"] == "recorded")
            #expect(slack.responsePosts.first?.body["response_type"] == "ephemeral")
            let refused = await #expect(throws: ChatError.self) {
                try await client.respond(to: "https://attacker.example/hook", text: "x")
            }
            #expect(refused?.kind == .invalidInput)
            let expired = await #expect(throws: ChatError.self) {
                try await client.respond(to: slack.responseURLPrefix + "never-issued", text: "x")
            }
            #expect(expired?.apiError == "expired_url")
        }
    }
}
