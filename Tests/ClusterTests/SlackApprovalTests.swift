import AirlockAPI
import AirlockChat
import AirlockController
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// Issue 10: reviewers decide in Slack. Each click goes through the controller's chat listener:
/// signature, mapping, the checks that would make it useless, then an ActionReview on the
/// user's behalf, judged by the same core as every review.
@Suite struct SlackApprovalTests {
    @Test func aSignedClickFromAMappedReviewerApprovesGrantsAndUpdatesTheCard() async throws {
        try await ChatFixture.with("slack-approve") { chat in
            try await chat.policy()
            try await chat.airlock.request("fix-db", by: "alice")
            let posted = try await chat.card("fix-db")
            let click = try chat.slack.blockActions(clicking: SlackActionID.approve, on: posted, user: "U0BOB")
            // Slack's 3 s limit is kept by the service's answer budget (unit-tested with
            // ChatReviews.first); wall time on a shared machine is no test of it.
            let (status, _) = try await chat.slack.post(click, to: chat.url)
            #expect(status == 200)
            // Answered only once persisted: the review exists as soon as the answer arrives.
            let reviews = try await chat.reviews(of: "fix-db")
            #expect(reviews.count == 1)
            let review = try #require(reviews.first)
            #expect(review.spec.onBehalfOf?.username == "bob")
            #expect(review.spec.onBehalfOf?.channel == "slack")
            #expect(review.spec.onBehalfOf?.externalUser == "U0BOB")
            #expect(review.spec.reviewer?.username == "controller")
            #expect(review.metadata.name?.hasPrefix("slack-") == true)

            let granted = try await chat.airlock.waitFor("fix-db", .granted)
            #expect(granted.status?.reviews?.first?.reviewer == "bob")
            #expect(granted.status?.reviews?.first?.channel == "slack")
            #expect(granted.status?.reviews?.first?.counted == true)
            #expect(try await chat.notes() == ["Your approval of \(chat.namespace)/fix-db was recorded as bob."])

            // The same click delivered again (signed anew): idempotent.
            let again = chat.slack.sign(click.payload, at: Date().addingTimeInterval(1))
            #expect(try await chat.slack.post(again, to: chat.url).status == 200)
            #expect(try await chat.reviews(of: "fix-db").count == 1)

            try await eventually("the card shows the grant", timeout: .seconds(20)) {
                let state = try await chat.slackState("fix-db")
                return state?.card == "Granted" && state?.replies == ["Granted"]
            }
            let card = try #require(chat.slack.message(channel: posted.channel, ts: posted.ts))
            let text = BlockKit.text(card.blocks)
            #expect(text.contains("Approved"))
            #expect(text.contains("`bob`"))
            #expect(BlockKit.actionIDs(card.blocks) == [SlackActionID.revoke])
            #expect(chat.replies(card).map(\.text).first?.contains("Access granted") == true)

            // Revoke now, by another reviewer, from the granted card.
            #expect(try await chat.click(SlackActionID.revoke, on: "fix-db", user: "U0CAROL").status == 200)
            let revoked = try await chat.airlock.waitFor("fix-db", .revoked)
            #expect(revoked.status?.conditions?[type: "Revoked"]?.message == "revoked by carol")
            try await eventually("the card shows the revocation", timeout: .seconds(20)) {
                let state = try await chat.slackState("fix-db")
                return state?.card == "Revoked" && state?.replies == ["Granted", "Revoked"]
            }
            let final = try #require(chat.slack.message(channel: posted.channel, ts: posted.ts))
            #expect(BlockKit.actionIDs(final.blocks).isEmpty)
            #expect(chat.replies(final).last?.text.contains("revoked by `carol`") == true)
        }
    }

    @Test func approveForLessGrantsTheShorterTime() async throws {
        try await ChatFixture.with("slack-less") { chat in
            try await chat.policy()
            try await chat.airlock.request("fix-db", by: "alice", duration: "1h")
            let (status, _) = try await chat.click(
                SlackActionID.approveFor, on: "fix-db", user: "U0BOB", option: "15m")
            #expect(status == 200)
            let granted = try await chat.airlock.waitFor("fix-db", .granted)
            let grantedAt = try #require(granted.status?.grantedAt)
            let expiresAt = try #require(granted.status?.expiresAt)
            #expect(abs(expiresAt.timeIntervalSince(grantedAt) - 900) < 1)
            #expect(granted.status?.reviews?.first?.duration == KubeDuration(seconds: 900))

            // A forged "approve for longer" (signed with the real secret) is refused by the handler.
            try await chat.airlock.request("longer", by: "alice", duration: "15m")
            let card = try await chat.card("longer")
            var click = try chat.slack.blockActions(clicking: SlackActionID.approve, on: card, user: "U0BOB")
            click = try Self.choosing(
                "1h|\(chat.namespace)/longer/\(try #require(try await chat.airlock.get("longer").metadata.uid))",
                in: click, chat.slack)
            #expect(try await chat.slack.post(click, to: chat.url).status == 200)
            #expect(try await chat.notes().last?.contains("must be shorter than the 15m asked") == true)
            #expect(try await chat.reviews(of: "longer").isEmpty)
        }
    }

    @Test func denyWithAReasonDeniesAndTheReasonIsInTheStatus() async throws {
        try await ChatFixture.with("slack-deny") { chat in
            try await chat.policy()
            try await chat.airlock.request("fix-db", by: "alice")
            let posted = try await chat.card("fix-db")
            #expect(try await chat.click(SlackActionID.deny, on: "fix-db", user: "U0CAROL").status == 200)
            let view = try #require(chat.slack.openedViews.first)
            #expect(try await chat.reviews(of: "fix-db").isEmpty)
            let reason = "Use the runbook: restart db-0 through the operator."
            let submission = chat.slack.viewSubmission(
                of: view, user: "U0CAROL", values: ["reason": ["reason": reason]])
            let (status, body) = try await chat.slack.post(submission, to: chat.url)
            #expect(status == 200)
            #expect(body.isEmpty, "an empty 200 closes the modal")
            let denied = try await chat.airlock.waitFor("fix-db", .denied)
            #expect(denied.status?.reviews?.first?.comment == reason)
            #expect(denied.status?.reviews?.first?.reviewer == "carol")
            #expect(denied.status?.conditions?[type: "Denied"]?.message == "denied by carol: \(reason)")
            try await eventually("the card shows the denial", timeout: .seconds(20)) {
                try await chat.slackState("fix-db")?.card == "Denied"
            }
            let card = try await chat.card("fix-db")
            #expect(BlockKit.text(card.blocks).contains(reason))
            #expect(BlockKit.actionIDs(card.blocks).isEmpty)

            // Deny on a stale copy of the card (the request is decided) opens no modal.
            let stale = try chat.slack.blockActions(clicking: SlackActionID.deny, on: posted, user: "U0BOB")
            #expect(try await chat.slack.post(stale, to: chat.url).status == 200)
            #expect(chat.slack.openedViews.count == 1)
            #expect(try await chat.notes().last?.contains("already Denied") == true)
        }
    }

    @Test func forgedOrReplayedClicksGet401AndChangeNothing() async throws {
        try await ChatFixture.with("slack-forged") { chat in
            try await chat.policy()
            try await chat.airlock.request("fix-db", by: "alice")
            let card = try await chat.card("fix-db")
            let forged = try chat.slack.blockActions(
                clicking: SlackActionID.approve, on: card, user: "U0BOB", signingSecret: "guessed-secret")
            #expect(try await chat.slack.post(forged, to: chat.url).status == 401)
            var tampered = try chat.slack.blockActions(clicking: SlackActionID.approve, on: card, user: "U0DAVE")
            tampered.body = tampered.body.replacingOccurrences(of: "U0DAVE", with: "U0BOB")
            #expect(try await chat.slack.post(tampered, to: chat.url).status == 401)
            let stale = try chat.slack.blockActions(
                clicking: SlackActionID.approve, on: card, user: "U0BOB", at: Date().addingTimeInterval(-400))
            #expect(try await chat.slack.post(stale, to: chat.url).status == 401)
            #expect(try await chat.reviews(of: "fix-db").isEmpty)

            // A genuine click on another request, then the same bytes again.
            try await chat.airlock.request("other", by: "alice")
            let other = try await chat.card("other")
            let genuine = try chat.slack.blockActions(clicking: SlackActionID.deny, on: other, user: "U0BOB")
            #expect(try await chat.slack.post(genuine, to: chat.url).status == 200)
            let (status, body) = try await chat.slack.post(genuine, to: chat.url)
            #expect(status == 401)
            #expect(body.contains("replay"))
            #expect(chat.slack.openedViews.count == 1)

            #expect(try await chat.airlock.get("fix-db").status?.phase == .pending)
            #expect(try await chat.reviews(of: "fix-db").isEmpty)
            #expect(chat.slack.calls("chat.update").isEmpty)
        }
    }

    @Test func clicksThatCannotCountAreExplainedAndChangeNothing() async throws {
        try await ChatFixture.with("slack-refused") { chat in
            try await chat.policy()
            try await chat.airlock.request("fix-db", by: "alice")
            // The requester approving its own request.
            #expect(try await chat.click(SlackActionID.approve, on: "fix-db", user: "U0ALICE").status == 200)
            // Someone Airlock cannot map, and someone without RBAC approve.
            #expect(try await chat.click(SlackActionID.approve, on: "fix-db", user: "U0NOBODY").status == 200)
            #expect(try await chat.click(SlackActionID.approve, on: "fix-db", user: "U0DAVE").status == 200)
            let notes = try await chat.notes()
            #expect(notes.count == 3)
            #expect(notes.first?.contains("you asked for this access") == true)
            #expect(notes.contains { $0.contains("not mapped to a Kubernetes user") })
            #expect(notes.contains { $0.contains("dave may not approve") })
            #expect(chat.slack.responsePosts.allSatisfy { $0.body["response_type"] == "ephemeral" })
            #expect(try await chat.reviews(of: "fix-db").isEmpty)
            #expect(try await chat.airlock.get("fix-db").status?.phase == .pending)

            // The requester may release what was granted, from the card.
            try await chat.airlock.review("fix-db", by: "bob", decision: .approve)
            try await chat.airlock.waitFor("fix-db", .granted)
            try await eventually("the Revoke button", timeout: .seconds(20)) {
                try await chat.slackState("fix-db")?.card == "Granted"
            }
            #expect(try await chat.click(SlackActionID.revoke, on: "fix-db", user: "U0ALICE").status == 200)
            let released = try await chat.airlock.waitFor("fix-db", .revoked)
            #expect(released.status?.conditions?[type: "Revoked"]?.reason == "Released")
        }
    }

    /// `click` with its action replaced by an "approve for" choice of `value`, signed anew.
    static func choosing(
        _ value: String, in click: FakeSlackServer.SignedInteraction, _ slack: FakeSlackServer
    ) throws -> FakeSlackServer.SignedInteraction {
        guard case .object(var payload) = click.payload, case .array(let actions)? = payload["actions"],
            case .object(var action)? = actions.first
        else { throw KubeTestingError(.other, "not a block_actions payload") }
        action["action_id"] = .string(SlackActionID.approveFor)
        action["type"] = "static_select"
        action["selected_option"] = [
            "value": .string(value), "text": ["type": "plain_text", "text": "Approve for 1h"],
        ]
        action["value"] = nil
        payload["actions"] = [.object(action)]
        return slack.sign(.object(payload))
    }
}
