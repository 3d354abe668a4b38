import AirlockAPI
import AirlockChat
import AirlockController
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// Issue 12: reviewers decide in Microsoft Teams. Against the real API server and the fake Bot
/// Connector: one card per request (across a restart), authenticated invokes from mapped
/// reviewers become ActionReviews on their behalf, the card is updated for everyone, and
/// nothing else changes anything.
@Suite struct TeamsApprovalTests {
    @Test func aRequestNeedingReviewIsPostedOnceAlsoAcrossARestart() async throws {
        try await TeamsFixture.with("teams-post") { chat in
            try await chat.policy()
            let request = try await chat.airlock.request("fix-db", by: "alice")
            let card = try await chat.card("fix-db")
            #expect(card.conversation == TeamsFixture.conversationID)
            let content = try #require(card.card)
            #expect(content["version"] == "1.5")
            #expect(AdaptiveCards.text(content).contains("Access request \(chat.namespace)/fix-db"))
            #expect(AdaptiveCards.text(content).contains("attack test fix-db"))
            #expect(AdaptiveCards.verbs(content) == ["refresh"])
            // bob's Teams id is mapped: his client refreshes to live buttons; alice asked.
            #expect(content["refresh"]?["userIds"] == ["29:bob"])
            let state = try #require(try await chat.teamsState("fix-db"))
            #expect(state.delivered && state.attempts == 1 && state.inDoubt == nil && state.lastError == nil)
            #expect(state.card == "Pending/0/1")
            #expect(state.target == chat.conversation.description)
            #expect(chat.teams.tokenRequests == 1)

            for _ in 0..<3 { await chat.notifier.enqueue(request.key) }
            try await chat.settle()
            // A restart: a second controller lists every request and plans from the status.
            let restarted = try await chat.airlock.startController(identity: "restarted")
            do {
                try await chat.settle(try #require(restarted.airlock.notifier))
                #expect(chat.cardPosts("fix-db").count == 1)
            } catch {
                await restarted.stop()
                throw error
            }
            await restarted.stop()
            #expect(chat.cardPosts("fix-db").count == 1)
        }
    }

    @Test func anAuthenticatedApproveGrantsAndTheCardIsUpdatedForEveryone() async throws {
        try await TeamsFixture.with("teams-approve") { chat in
            try await chat.policy()
            try await chat.airlock.request("fix-db", by: "alice")
            let posted = try await chat.card("fix-db")

            // bob's own view (what Teams' automatic refresh fetches) has the live buttons.
            let (viewStatus, view) = try await chat.click(.refresh, on: "fix-db", by: "bob")
            #expect(viewStatus == 200)
            #expect(view?["statusCode"] == 200)
            #expect(view?["type"] == "application/vnd.microsoft.card.adaptive")
            let bobsButtons = AdaptiveCards.verbs(view?["value"])
            #expect(bobsButtons == ["approve", "approve-less", "deny"])
            #expect(try await chat.reviews(of: "fix-db").isEmpty, "a refresh changes nothing")

            // The invoke's time limit is kept by the service's answer budget (unit-tested with
            // ChatReviews.first); wall time on a shared machine is no test of it.
            let (status, answer) = try await chat.click(.approve, on: "fix-db", by: "bob")
            #expect(status == 200)
            #expect(answer?["statusCode"] == 200)
            #expect(answer?["type"] == "application/vnd.microsoft.card.adaptive")
            let answered = AdaptiveCards.text(answer?["value"])
            #expect(answered.contains("was recorded as bob"))
            // Answered only once persisted.
            let review = try #require(try await chat.reviews(of: "fix-db").first)
            #expect(review.spec.onBehalfOf?.username == "bob")
            #expect(review.spec.onBehalfOf?.channel == "teams")
            #expect(review.spec.onBehalfOf?.externalUser == TeamsFixture.users[1].aadObjectID)
            #expect(review.spec.reviewer?.username == "controller")
            #expect(review.metadata.name?.hasPrefix("teams-") == true)

            let granted = try await chat.airlock.waitFor("fix-db", .granted)
            #expect(granted.status?.reviews?.first?.reviewer == "bob")
            #expect(granted.status?.reviews?.first?.channel == "teams")
            try await eventually("the card shows the grant", timeout: .seconds(20)) {
                let state = try await chat.teamsState("fix-db")
                return state?.card == "Granted" && state?.replies == ["Granted"]
            }
            let updated = try #require(chat.teams.activities.first { $0.id == posted.id })
            #expect(updated.updates == 1)
            #expect(AdaptiveCards.text(updated.card).contains("**Approved** by bob"))
            #expect(chat.teams.calls.contains { $0.method == "PUT" && $0.status == 200 })
            #expect(chat.replies(updated).first.map { AdaptiveCards.text($0.body) }?.contains("Access granted") == true)

            // carol, mapped through her email (member look-up), revokes from her own view.
            let (_, carolView) = try await chat.click(.refresh, on: "fix-db", by: "carol")
            let carolsButtons = AdaptiveCards.verbs(carolView?["value"])
            #expect(carolsButtons == ["revoke"])
            #expect(try await chat.click(.revoke, on: "fix-db", by: "carol").status == 200)
            let revoked = try await chat.airlock.waitFor("fix-db", .revoked)
            #expect(revoked.status?.conditions?[type: "Revoked"]?.message == "revoked by carol")
            try await eventually("the card shows the revocation", timeout: .seconds(20)) {
                try await chat.teamsState("fix-db")?.card == "Revoked"
            }
            #expect(chat.cardPosts("fix-db").count == 1)
        }
    }

    @Test func theRequestersOwnClickAndUnauthenticatedCallsChangeNothing() async throws {
        try await TeamsFixture.with("teams-attack") { chat in
            try await chat.policy()
            try await chat.airlock.request("fix-db", by: "alice")
            _ = try await chat.card("fix-db")

            // The requester: refused, with the reason, no buttons in her view.
            let (status, answer) = try await chat.click(.approve, on: "fix-db", by: "alice")
            #expect(status == 200)
            let refusal = AdaptiveCards.text(answer?["value"])
            #expect(refusal.contains("someone else must review it"))
            let (_, aliceView) = try await chat.click(.refresh, on: "fix-db", by: "alice")
            let alicesButtons = AdaptiveCards.verbs(aliceView?["value"])
            #expect(alicesButtons.isEmpty)
            // An unmapped user.
            let (_, unknown) = try await chat.click(.approve, on: "fix-db", by: "nobody")
            let unknownAnswer = AdaptiveCards.text(unknown?["value"])
            #expect(unknownAnswer.contains("does not know your Teams account"))

            // No token, a token signed by someone else, a token for another bot, another tenant.
            let request = try await chat.airlock.get("fix-db")
            let reference = "\(chat.namespace)/fix-db/\(request.metadata.uid ?? "")"
            var invoke = chat.teams.invoke(
                "approve", request: reference, user: chat.teams.user("bob"), conversation: TeamsFixture.conversationID)
            invoke.headers = [:]
            #expect(try await chat.teams.post(invoke, to: chat.url).status == 401)
            let forger = try FakeTeamsServer.SigningKey.generate(id: chat.teams.signingKeys[0].id)
            #expect(
                try await chat.click(.approve, on: "fix-db", by: "bob", token: chat.teams.token(key: forger)).status
                    == 403)
            var otherBot = chat.teams.claims()
            otherBot.audience = "another-bot"
            #expect(
                try await chat.click(.approve, on: "fix-db", by: "bob", token: chat.teams.token(otherBot)).status == 403
            )
            let elsewhere = chat.teams.invoke(
                "approve", request: reference, user: chat.teams.user("bob"), conversation: TeamsFixture.conversationID,
                tenantID: "99999999-0000-0000-0000-000000000000")
            #expect(try await chat.teams.post(elsewhere, to: chat.url).status == 403)

            #expect(try await chat.reviews(of: "fix-db").isEmpty)
            #expect(try await chat.airlock.get("fix-db").status?.phase == .pending)
        }
    }

    @Test func denyWithAReasonReachesTheRequestsStatus() async throws {
        try await TeamsFixture.with("teams-deny") { chat in
            try await chat.policy()
            try await chat.airlock.request("fix-db", by: "alice")
            _ = try await chat.card("fix-db")
            let (_, empty) = try await chat.click(.deny, on: "fix-db", by: "bob", inputs: ["reason": "  "])
            let emptyReasonAnswer = AdaptiveCards.text(empty?["value"])
            #expect(emptyReasonAnswer.contains("Type a reason"))
            #expect(try await chat.reviews(of: "fix-db").isEmpty)

            let reason = "Use the runbook: restart db-0 through the operator."
            #expect(try await chat.click(.deny, on: "fix-db", by: "bob", inputs: ["reason": reason]).status == 200)
            let denied = try await chat.airlock.waitFor("fix-db", .denied)
            #expect(denied.status?.reviews?.first?.comment == reason)
            #expect(denied.status?.reviews?.first?.channel == "teams")
            #expect(denied.status?.conditions?[type: "Denied"]?.message == "denied by bob: \(reason)")
            try await eventually("the card shows the denial", timeout: .seconds(20)) {
                try await chat.teamsState("fix-db")?.card == "Denied"
            }
            let card = try await chat.card("fix-db")
            #expect(AdaptiveCards.text(card.card).contains("restart db-0 through the operator"))
            #expect(AdaptiveCards.verbs(card.card).isEmpty)
        }
    }

    @Test func aThrottledSendIsRetriedAndDeliveredExactlyOnce() async throws {
        try await TeamsFixture.with("teams-429") { chat in
            try await chat.policy()
            chat.teams.failNext(1, status: 429, retryAfter: 1)
            try await chat.airlock.request("fix-db", by: "alice")
            let limited = try await eventuallyValue("the 429", timeout: .seconds(20), interval: .milliseconds(10)) {
                chat.teams.calls.first { $0.status == 429 }?.at
            }
            _ = try await chat.card("fix-db")
            let sent = try #require(chat.teams.calls.first { $0.method == "POST" && $0.status == 201 })
            let waited = limited.duration(to: sent.at)
            #expect(waited >= .milliseconds(900), "Retry-After: 1 was not honoured (\(waited))")
            #expect(chat.teams.calls.filter { $0.method == "POST" }.map(\.status) == [429, 201])
            #expect(chat.cardPosts("fix-db").count == 1)
            let state = try #require(try await chat.teamsState("fix-db"))
            #expect(state.attempts == 2 && state.failures == nil && state.lastError == nil)
        }
    }
}

/// Issue 12: teams without the bot are notified through a Workflows webhook (no buttons; the card
/// names the CLI command), once per phase.
@Suite struct TeamsWorkflowsTests {
    @Test func aWorkflowsWebhookGetsTheCardThenTheOutcome() async throws {
        try await TeamsFixture.with("teams-workflows") { chat in
            _ = try await chat.admin.create(
                Secret(
                    metadata: ObjectMeta(name: "teams-hook", namespace: chat.namespace),
                    data: ["url": Data(chat.teams.workflowURL.utf8)]))
            try await chat.airlock.policy(
                "workflows",
                ApprovalPolicySpec(
                    decision: .requireApproval, approvals: ApprovalRequirement(required: 1),
                    notify: NotificationTargets(teamsWebhookSecret: SecretKeyRef(name: "teams-hook", key: "url"))))
            try await chat.airlock.request("fix-db", by: "alice")
            let first = try await eventuallyValue("the card posted", timeout: .seconds(20)) {
                chat.teams.workflowPosts.first
            }
            guard case .array(let attachments)? = first["attachments"] else {
                Issue.record("no attachments in \(first)")
                return
            }
            let card = attachments.first?["content"]
            #expect(card?["version"] == "1.4")
            #expect(card?["actions"] == nil, "a webhook card cannot call back")
            let text = AdaptiveCards.text(card)
            #expect(text.contains("kubectl airlock approve -n \(chat.namespace) fix-db"))

            try await chat.airlock.review("fix-db", by: "bob", decision: .approve)
            try await chat.airlock.waitFor("fix-db", .granted)
            try await eventually("the outcome posted", timeout: .seconds(20)) { chat.teams.workflowPosts.count == 2 }
            let outcome = AdaptiveCards.text(chat.teams.workflowPosts[1])
            #expect(outcome.contains("**Approved** by bob"))
            let state = try await eventuallyValue("the outcome recorded", timeout: .seconds(20)) {
                let state = try await chat.airlock.get("fix-db").status?.notifications?.first {
                    $0.channel == "teams-webhook"
                }
                return state?.card == "Granted" ? state : nil
            }
            #expect(state.delivered && state.lastError == nil)
            try await chat.settle()
            #expect(chat.teams.workflowPosts.count == 2)
        }
    }
}
