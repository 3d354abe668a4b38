import AirlockAPI
import AirlockChat
import AirlockController
import AirlockPolicy
import Foundation
import KubeCore
import Testing

private typealias F = LifecycleFixture
private typealias P = DeliveryPlannerTests

/// Issue 12: Teams targets are planned like Slack's (post, update, replies, pauses), Workflows
/// webhooks once per phase; purely, at fixed dates.
@Suite struct TeamsDeliveryPlannerTests {
    static let conversation = TeamsConversationRef(
        serviceUrl: "https://smba.trafficmanager.net/emea/", conversationId: "19:abc@thread.tacv2")
    static let workflows = SecretKeyRef(name: "teams-hook", key: "url")
    static let recipients = NotificationRecipients(teamsConversations: [conversation], teamsWebhookSecrets: [workflows])

    static func teams(_ shows: String, replies: [NotificationState.Reply] = []) -> NotificationState {
        NotificationState(
            channel: "teams", target: conversation.description, messageRef: "1:1", delivered: true, attempts: 1,
            card: shows, replies: replies.isEmpty ? nil : replies.map(\.rawValue))
    }

    @Test func aPendingRequestPostsTheCardToTheConversationAndTheWorkflow() {
        let plan = DeliveryPlanner().plan(P.pending(notify: Self.recipients), now: F.created)
        #expect(P.steps(plan, "teams") == [.postCard(lookUpFirst: false)])
        #expect(plan.targets.first { $0.channel == "teams" }?.target == Self.conversation.description)
        #expect(P.steps(plan, "teams-webhook") == [.postCard(lookUpFirst: false)])
        #expect(plan.needsClaim)
        #expect(TeamsConversationRef(parsing: Self.conversation.description) == Self.conversation)
    }

    @Test func withoutTheBotTheTargetIsRecordedAsNotDeliverable() {
        let plan = DeliveryPlanner(teamsConfigured: false).plan(P.pending(notify: Self.recipients), now: F.created)
        #expect(P.steps(plan, "teams") == [.unavailable(DeliveryPlanner.teamsNotConfigured)])
    }

    @Test func aPostInDoubtIsPostedAgainAndA429PausesOnlyTeams() {
        var state = NotificationState(
            channel: "teams", target: Self.conversation.description, attempts: 1, inDoubt: true)
        let doubtful = P.pending(notifications: [state], notify: Self.recipients)
        #expect(P.steps(DeliveryPlanner().plan(doubtful, now: F.created), "teams") == [.postCard(lookUpFirst: true)])
        state.inDoubt = nil
        let paused = DeliveryPlanner().plan(
            P.pending(notify: Self.recipients), now: F.created, teamsPausedUntil: F.created.addingTimeInterval(2))
        #expect(P.steps(paused, "teams").isEmpty)
        #expect(paused.wakeAt == F.created.addingTimeInterval(2))
        #expect(P.steps(paused, "teams-webhook") == [.postCard(lookUpFirst: false)], "the pause is the connector's")
    }

    @Test func aGrantUpdatesTheCardRepliesAndTellsTheWorkflowOnce() {
        var status = F.grantedStatus()
        status.decision?.notify = Self.recipients
        let workflow = NotificationState(
            channel: "teams-webhook", target: Self.workflows.description, delivered: true, attempts: 1, card: "Pending")
        status.notifications = [Self.teams("Pending/0/1"), workflow]
        let plan = DeliveryPlanner().plan(F.request(status: status), now: F.created)
        #expect(P.steps(plan, "teams") == [.updateCard("Granted"), .reply(.granted, lookUpFirst: false)])
        #expect(P.steps(plan, "teams-webhook") == [.updateCard("Granted")])
        var told = workflow
        told.card = "Granted"
        status.notifications = [Self.teams("Granted", replies: [.granted]), told]
        let done = DeliveryPlanner().plan(F.request(status: status), now: F.created)
        #expect(P.steps(done, "teams").isEmpty)
        #expect(P.steps(done, "teams-webhook").isEmpty)
    }
}
