import AirlockAPI
import AirlockChat
import AirlockController
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// Issue 10: the approval card reaches Slack exactly once — across a restart, a leader change,
/// a crash between the post and its record, a 429 — and an outage loses nothing.
@Suite struct SlackDeliveryTests {
    @Test func aRequestNeedingReviewIsPostedOnceWithItsCard() async throws {
        try await ChatFixture.with("slack-post") { chat in
            try await chat.policy()
            let request = try await chat.airlock.request("fix-db", by: "alice")
            let uid = try #require(request.metadata.uid)
            let card = try await chat.card("fix-db")
            #expect(card.channel == ChatFixture.channel)
            let text = BlockKit.text(card.blocks)
            #expect(text.contains("Access request \(chat.namespace)/fix-db"))
            #expect(text.contains("`alice`"))
            #expect(text.contains("attack test fix-db"))
            let actions = BlockKit.actionIDs(card.blocks)
            #expect(actions.contains(SlackActionID.approve) && actions.contains(SlackActionID.deny))
            let state = try #require(try await chat.slackState("fix-db"))
            #expect(state.delivered && state.attempts == 1 && state.inDoubt == nil && state.lastError == nil)
            #expect(state.card == "Pending/0/1")

            // More passes change nothing: the state says it is delivered.
            for _ in 0..<3 { await chat.notifier.enqueue(request.key) }
            try await chat.settle()
            #expect(chat.cardPosts(uid: uid).count == 1)
            #expect(try await chat.airlock.get("fix-db").status?.phase == .pending)
        }
    }

    @Test func postedOnceAcrossARestartAndTheNewControllerFollowsUp() async throws {
        try await ChatFixture.with("slack-restart") { chat in
            try await chat.policy()
            let uid = try #require(try await chat.airlock.request("fix-db", by: "alice").metadata.uid)
            _ = try await chat.card("fix-db")
            // A second controller with the same settings is what a restart looks like: it lists
            // every request and plans again from what the status says.
            let restarted = try await chat.airlock.startController(identity: "restarted")
            do {
                try await chat.settle(try #require(restarted.airlock.notifier))
                #expect(chat.cardPosts(uid: uid).count == 1)
                try await chat.airlock.review("fix-db", by: "bob", decision: .approve)
                try await chat.airlock.waitFor("fix-db", .granted)
                try await eventually("the card updated", timeout: .seconds(20)) {
                    (try await chat.slackState("fix-db"))?.card == "Granted"
                }
                #expect(chat.cardPosts(uid: uid).count == 1)
            } catch {
                await restarted.stop()
                throw error
            }
            await restarted.stop()
        }
    }

    @Test func aCrashBetweenThePostAndItsRecordIsFoundByTheCardsMetadata() async throws {
        try await ChatFixture.with("slack-crash") { chat in
            try await chat.policy()
            // The write recording the posted card is lost, as in a crash right after the post.
            chat.airlock.faults.fail(
                .put, pathContains: "actionrequests/fix-db/status", times: 1, code: 500, reason: "InternalError",
                bodyContains: #""messageRef""#)
            let uid = try #require(try await chat.airlock.request("fix-db", by: "alice").metadata.uid)
            let card = try await chat.card("fix-db")
            #expect(chat.airlock.faults.injected == 1)
            #expect(chat.cardPosts(uid: uid).count == 1)
            #expect(chat.slack.calls("conversations.history").count >= 1, "the card was looked up, not posted again")
            // What the found card shows is not known: it is refreshed once.
            let state = try await eventuallyValue("the found card refreshed", timeout: .seconds(20)) {
                let state = try await chat.slackState("fix-db")
                return state?.card == "Pending/0/1" ? state : nil
            }
            try await chat.settle()
            #expect(state.messageRef == "\(card.channel)/\(card.ts)")
            // The post, the attempt that looked the card up (recorded before it looked), the update.
            #expect(state.attempts == 3, "\(state)")
            #expect(state.inDoubt == nil)
            #expect(chat.slack.calls("chat.update").count == 1)
            #expect(chat.cardPosts(uid: uid).count == 1)
        }
    }

    /// Chaos found it: a thread reply posted, its record lost (a kill, a cut), posted again.
    @Test func aCrashBetweenAReplyAndItsRecordIsFoundInTheThread() async throws {
        try await ChatFixture.with("slack-reply-crash") { chat in
            try await chat.policy()
            _ = try await chat.airlock.request("fix-db", by: "alice")
            let card = try await chat.card("fix-db")
            // The write recording the posted reply is lost (the claim before it names the reply
            // in `repliesInDoubt`, never in `replies`).
            chat.airlock.faults.fail(
                .put, pathContains: "actionrequests/fix-db/status", times: 1, code: 500, reason: "InternalError",
                bodyContains: #""replies":"#)
            try await chat.airlock.review("fix-db", by: "bob", decision: .approve)
            try await chat.airlock.waitFor("fix-db", .granted)
            let state = try await eventuallyValue("the reply recorded", timeout: .seconds(20)) {
                let state = try await chat.slackState("fix-db")
                return state?.replies == ["Granted"] ? state : nil
            }
            try await chat.settle()
            #expect(chat.airlock.faults.injected == 1)
            #expect(state.repliesInDoubt == nil)
            #expect(chat.slack.calls("conversations.replies").count >= 1, "the reply was looked up")
            let shown = try #require(chat.slack.message(channel: card.channel, ts: card.ts))
            let replies = chat.replies(shown)
            #expect(replies.count == 1, "\(replies.map(\.text))")
            #expect(replies.first?.metadata?["event_type"] == "airlock_thread_reply")
        }
    }

    @Test func postedOnceAcrossALeaderChange() async throws {
        try await ChatFixture.with("slack-leader", leaderElection: true) { chat in
            let standby = try await chat.airlock.startController(identity: "second")
            do {
                try await chat.policy()
                try await eventually("the fixture's controller leads", timeout: .seconds(20)) {
                    try await chat.airlock.leaseHolder() == "first"
                }
                let first = try #require(try await chat.airlock.request("first", by: "alice").metadata.uid)
                _ = try await chat.card("first")
                // The leader stops (and releases its Lease); the standby takes over.
                try await chat.airlock.stopController()
                try await eventually("the standby leads", timeout: .seconds(20)) {
                    try await chat.airlock.leaseHolder() == "second"
                }
                let second = try #require(try await chat.airlock.request("second", by: "alice").metadata.uid)
                _ = try await chat.card("second", timeout: .seconds(30))
                try await chat.airlock.review("first", by: "bob", decision: .approve)
                try await eventually("the first card updated by the new leader", timeout: .seconds(20)) {
                    (try await chat.slackState("first"))?.card == "Granted"
                }
                try await chat.settle(try #require(standby.airlock.notifier))
                #expect(chat.cardPosts(uid: first).count == 1)
                #expect(chat.cardPosts(uid: second).count == 1)
            } catch {
                await standby.stop()
                throw error
            }
            await standby.stop()
        }
    }

    @Test func slackAnswering429ThenSuccessDeliversExactlyOneMessage() async throws {
        try await ChatFixture.with("slack-429") { chat in
            try await chat.policy()
            chat.slack.failNext(1, with: .rateLimited(retryAfter: 1), method: "chat.postMessage")
            let uid = try #require(try await chat.airlock.request("fix-db", by: "alice").metadata.uid)
            let limited = try await eventuallyValue("the 429", timeout: .seconds(20), interval: .milliseconds(10)) {
                chat.slack.calls("chat.postMessage").first?.faulted == true ? ContinuousClock.now : nil
            }
            _ = try await chat.card("fix-db")
            let waited = limited.duration(to: .now)
            #expect(waited >= .milliseconds(900), "Retry-After: 1 was not honoured (\(waited))")
            let posts = chat.slack.calls("chat.postMessage").filter { $0.threadTS == nil }
            #expect(posts.map(\.status) == [429, 200])
            #expect(chat.cardPosts(uid: uid).count == 1)
            #expect(chat.slack.messages.filter { $0.metadata?["event_payload"]?["uid"] == .string(uid) }.count == 1)
            let state = try #require(try await chat.slackState("fix-db"))
            #expect(state.attempts == 2 && state.failures == nil && state.lastError == nil)
        }
    }

    @Test func anOutageLeavesRequestsReviewableWithKubectlAndLosesNothing() async throws {
        try await ChatFixture.with("slack-outage") { chat in
            try await chat.policy()
            chat.slack.failFraction(1, with: .serverError(status: 503))
            let uid = try #require(try await chat.airlock.request("fix-db", by: "alice").metadata.uid)
            let failing = try await eventuallyValue("a failed attempt recorded", timeout: .seconds(20)) {
                let state = try await chat.slackState("fix-db")
                return (state?.failures ?? 0) >= 2 ? state : nil
            }
            #expect(failing.lastError?.contains("503") == true)
            #expect(failing.inDoubt == true, "a 503 may hide a post: look it up before posting again")
            #expect(try await chat.airlock.get("fix-db").status?.phase == .pending)

            // Reviewed with kubectl meanwhile.
            try await chat.airlock.review("fix-db", by: "bob", decision: .approve)
            try await chat.airlock.waitFor("fix-db", .granted)

            chat.slack.clearFaults()
            let card = try await chat.card("fix-db", timeout: .seconds(30))
            try await eventually("the card and its reply show the grant", timeout: .seconds(20)) {
                let state = try await chat.slackState("fix-db")
                return state?.card == "Granted" && state?.replies == ["Granted"]
            }
            #expect(chat.cardPosts(uid: uid).count == 1)
            let shown = try #require(chat.slack.message(channel: card.channel, ts: card.ts))
            #expect(BlockKit.text(shown.blocks).contains("Approved"))
            #expect(!BlockKit.actionIDs(shown.blocks).contains(SlackActionID.approve))
            #expect(chat.replies(shown).first?.text.contains("Access granted") == true)
        }
    }
}

/// Reading Block Kit in tests.
enum BlockKit {
    /// Every string in the blocks, joined.
    static func text(_ blocks: [JSONValue]) -> String {
        func strings(_ value: JSONValue) -> [String] {
            switch value {
            case .string(let text): [text]
            case .array(let items): items.flatMap(strings)
            case .object(let members): members.keys.sorted().flatMap { strings(members[$0]!) }
            default: []
            }
        }
        return strings(.array(blocks)).joined(separator: "\n")
    }

    /// The `action_id`s of every element in `actions` blocks.
    static func actionIDs(_ blocks: [JSONValue]) -> [String] {
        blocks.flatMap { block -> [String] in
            guard case .array(let elements)? = block["elements"] else { return [] }
            return elements.compactMap { $0["action_id"]?.stringValue }
        }
    }
}
