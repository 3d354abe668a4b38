import AirlockAPI
import AirlockChat
import AirlockController
import AirlockPolicy
import Foundation
import KubeCore
import Testing

private typealias F = LifecycleFixture

/// What must be delivered, judged from the request alone at fixed dates: no I/O, no clock.
@Suite struct DeliveryPlannerTests {
    static let planner = DeliveryPlanner(slackConfigured: true, endingSoonLead: 300)
    static let hook = SecretKeyRef(name: "siem", key: "url")
    static let recipients = NotificationRecipients(slackChannels: ["C0APPROVALS"], webhookSecrets: [hook])

    /// A Pending request under a policy needing `required` approvals, announced to Slack and a webhook.
    static func pending(
        approvals: [Identity] = [], required: Int = 1, notifications: [NotificationState]? = nil,
        notify: NotificationRecipients? = recipients
    ) -> ActionRequest {
        var decision = PolicyDecision(
            policies: ["review"], outcome: .requireApproval, requiredApprovals: required,
            maxDuration: KubeDuration(seconds: 3600), reason: "PolicyMatched", message: "requires approval",
            at: F.created, notify: notify)
        decision.pendingTimeout = KubeDuration(seconds: 1800)
        let reviews = approvals.enumerated().map { index, reviewer in
            ReviewRecord(
                review: "r-\(reviewer.username)", reviewer: reviewer.username, decision: .approve,
                at: F.created.addingTimeInterval(Double(60 + index)), channel: "slack", counted: true)
        }
        return F.request(
            status: ActionRequestStatus(
                phase: .pending,
                conditions: [F.condition("Evaluated", true, "RequireApproval", "requires approval", at: F.created)],
                decision: decision, reviews: reviews.isEmpty ? nil : reviews, pendingDeadline: F.deadline,
                notifications: notifications))
    }

    /// ``LifecycleFixture/grantedStatus()`` announced to Slack and a webhook.
    static func granted(_ phase: ActionRequestPhase = .granted, notifications: [NotificationState]) -> ActionRequest {
        var status = phase == .granted ? F.grantedStatus() : F.finishedStatus(phase)
        status.decision?.notify = recipients
        status.notifications = notifications
        return F.request(status: status)
    }

    static func card(
        _ shows: String, replies: [NotificationState.Reply] = [], target: String = "C0APPROVALS"
    ) -> NotificationState {
        NotificationState(
            channel: "slack", target: target, messageRef: "C0APPROVALS/1750000000.000100", delivered: true,
            attempts: 1, lastAttemptAt: F.created, card: shows, replies: replies.isEmpty ? nil : replies.map(\.rawValue)
        )
    }

    static func steps(_ plan: DeliveryPlan, _ channel: String) -> [DeliveryStep] {
        plan.targets.filter { $0.channel == channel }.flatMap(\.steps)
    }

    // MARK: Posting the card

    @Test func aPendingRequestIsPostedAndItsTransitionSentOnce() {
        let request = Self.pending()
        let plan = Self.planner.plan(request, now: F.now)
        #expect(plan.targets.map(\.target) == ["C0APPROVALS", "siem/url"])
        #expect(Self.steps(plan, "slack") == [.postCard(lookUpFirst: false)])
        let events = Self.steps(plan, "webhook")
        #expect(events.count == 1)
        guard case .event(let event)? = events.first else {
            Issue.record("no event planned")
            return
        }
        #expect(event.type == .pending)
        #expect(event.key.hasPrefix("\(F.uid)/evaluated/"))
        #expect(event.id == RequestEventType.eventID(idempotencyKey: event.key))
        #expect(event.time == F.created)
        #expect(plan.needsClaim)
        #expect(plan.wakeAt == nil)
    }

    @Test func nothingIsDueWithoutRecipients() {
        #expect(Self.planner.plan(Self.pending(notify: nil), now: F.now).isEmpty)
        #expect(Self.planner.plan(F.request(), now: F.now).isEmpty)
    }

    @Test func anAttemptInDoubtIsLookedUpBeforePostingAgain() {
        var attempt = NotificationState(channel: "slack", target: "C0APPROVALS", attempts: 1, lastAttemptAt: F.now)
        attempt.inDoubt = true
        let inDoubt = Self.planner.plan(Self.pending(notifications: [attempt]), now: F.now)
        #expect(Self.steps(inDoubt, "slack") == [.postCard(lookUpFirst: true)])
        // Slack answered (a 429, an error): nothing was posted, post without looking.
        attempt.inDoubt = nil
        let answered = Self.planner.plan(Self.pending(notifications: [attempt]), now: F.now)
        #expect(Self.steps(answered, "slack") == [.postCard(lookUpFirst: false)])
    }

    @Test func aFailedTargetWaitsForItsRetryAndSlackForItsPause() {
        var failed = NotificationState(channel: "slack", target: "C0APPROVALS", attempts: 1, lastError: "ratelimited")
        failed.retryAt = F.now.addingTimeInterval(30)
        let plan = Self.planner.plan(Self.pending(notifications: [failed]), now: F.now)
        #expect(Self.steps(plan, "slack").isEmpty)
        #expect(plan.wakeAt == F.now.addingTimeInterval(30))
        #expect(
            Self.steps(Self.planner.plan(Self.pending(notifications: [failed]), now: F.now + 30), "slack").count == 1)

        let paused = Self.planner.plan(Self.pending(), now: F.now, slackPausedUntil: F.now.addingTimeInterval(7))
        #expect(Self.steps(paused, "slack").isEmpty)
        #expect(Self.steps(paused, "webhook").count == 1)
        #expect(paused.wakeAt == F.now.addingTimeInterval(7))
    }

    @Test func aRequestDecidedBeforeAnyAttemptIsNotPosted() {
        let plan = Self.planner.plan(Self.granted(notifications: []), now: F.now)
        #expect(Self.steps(plan, "slack").isEmpty)
        // ...but an attempt begun is finished: the card then shows the outcome.
        let attempt = NotificationState(channel: "slack", target: "C0APPROVALS", attempts: 1, inDoubt: true)
        let resumed = Self.planner.plan(Self.granted(notifications: [attempt]), now: F.now)
        #expect(Self.steps(resumed, "slack") == [.postCard(lookUpFirst: true)])
    }

    @Test func withoutSlackTheTargetIsRecordedAsNotDeliverableOnce() {
        let planner = DeliveryPlanner(slackConfigured: false)
        #expect(
            Self.steps(planner.plan(Self.pending(), now: F.now), "slack")
                == [.unavailable(DeliveryPlanner.slackNotConfigured)])
        let recorded = NotificationState(
            channel: "slack", target: "C0APPROVALS", lastError: DeliveryPlanner.slackNotConfigured)
        #expect(Self.steps(planner.plan(Self.pending(notifications: [recorded]), now: F.now), "slack").isEmpty)
    }

    // MARK: Follow-ups

    @Test func progressWhilePendingUpdatesTheCard() {
        let posted = [Self.card("Pending/0/2")]
        #expect(
            Self.steps(Self.planner.plan(Self.pending(required: 2, notifications: posted), now: F.now), "slack").isEmpty
        )
        let approved = Self.pending(approvals: [F.bob], required: 2, notifications: posted)
        #expect(Self.steps(Self.planner.plan(approved, now: F.now), "slack") == [.updateCard("Pending/1/2")])
        #expect(DeliveryPlanner.cardState(of: approved.status!) == "Pending/1/2")
    }

    @Test func grantedUpdatesTheCardRepliesAndWakesBeforeTheEnd() {
        let plan = Self.planner.plan(Self.granted(notifications: [Self.card("Pending/0/2")]), now: F.now)
        #expect(Self.steps(plan, "slack") == [.updateCard("Granted"), .reply(.granted, lookUpFirst: false)])
        // Granted five minutes ago for 20 minutes: the warning is due 5 minutes before the end.
        #expect(plan.wakeAt == F.expiresAt.addingTimeInterval(-300))
    }

    /// Chaos: a reply posted, then its record lost, was posted again. Replies are claimed
    /// before they are posted; one claimed but not recorded is looked up in the thread first.
    @Test func aSlackReplyIsClaimedBeforeItIsPostedAndLookedUpWhenInDoubt() {
        let request = Self.granted(notifications: [Self.card("Granted")])
        let plan = Self.planner.plan(request, now: F.now)
        #expect(Self.steps(plan, "slack") == [.reply(.granted, lookUpFirst: false)])
        #expect(plan.needsClaim)
        let claimed = Notifier.claim(plan, in: request.status?.notifications ?? [], now: F.now)
        let slack = claimed.first { $0.channel == "slack" }
        #expect(slack?.repliesInDoubt == ["Granted"])
        #expect(slack?.attempts == 1 && slack?.inDoubt == nil, "a reply claim is no card post")

        var inDoubt = request
        inDoubt.status?.notifications = claimed
        #expect(Self.steps(Self.planner.plan(inDoubt, now: F.now), "slack") == [.reply(.granted, lookUpFirst: true)])
        // Claiming again keeps one entry per reply.
        let again = Notifier.claim(Self.planner.plan(inDoubt, now: F.now), in: claimed, now: F.now)
        #expect(again.first { $0.channel == "slack" }?.repliesInDoubt == ["Granted"])
    }

    @Test func theEndingSoonReplyIsDueFiveMinutesBeforeTheEnd() {
        let shown = [Self.card("Granted", replies: [.granted])]
        let before = Self.planner.plan(Self.granted(notifications: shown), now: F.expiresAt.addingTimeInterval(-301))
        #expect(Self.steps(before, "slack").isEmpty)
        let at = Self.planner.plan(Self.granted(notifications: shown), now: F.expiresAt.addingTimeInterval(-300))
        #expect(Self.steps(at, "slack") == [.reply(.endingSoon, lookUpFirst: false)])
        #expect(at.wakeAt == nil)
        let sent = [Self.card("Granted", replies: [.granted, .endingSoon])]
        let after = Self.planner.plan(Self.granted(notifications: sent), now: F.expiresAt.addingTimeInterval(-60))
        #expect(Self.steps(after, "slack").isEmpty)
    }

    @Test func aGrantNoLongerThanTheLeadGetsNoEndingSoonReply() {
        var request = Self.granted(notifications: [Self.card("Granted", replies: [.granted])])
        request.status?.expiresAt = F.grantedAt.addingTimeInterval(300)
        let plan = Self.planner.plan(request, now: F.grantedAt.addingTimeInterval(10))
        #expect(Self.steps(plan, "slack").isEmpty)
        #expect(plan.wakeAt == nil)
    }

    @Test(arguments: [
        (ActionRequestPhase.expired, NotificationState.Reply.ended), (.revoked, .revoked),
    ])
    func theEndOfAGrantUpdatesTheCardAndReplies(_ phase: ActionRequestPhase, _ reply: NotificationState.Reply) {
        let shown = [Self.card("Granted", replies: [.granted, .endingSoon])]
        let plan = Self.planner.plan(Self.granted(phase, notifications: shown), now: F.now)
        #expect(Self.steps(plan, "slack") == [.updateCard(phase.rawValue), .reply(reply, lookUpFirst: false)])
        // Missed while Granted: the granted and ending-soon replies are not sent after the end.
        let late = Self.planner.plan(Self.granted(phase, notifications: [Self.card("Pending/1/2")]), now: F.now)
        #expect(Self.steps(late, "slack") == [.updateCard(phase.rawValue), .reply(reply, lookUpFirst: false)])
    }

    @Test func aDenialOnlyUpdatesTheCard() {
        var request = Self.pending(notifications: [Self.card("Pending/0/1")])
        request.status?.phase = .denied
        #expect(Self.steps(Self.planner.plan(request, now: F.now), "slack") == [.updateCard("Denied")])
        request.status?.notifications = [Self.card("Denied")]
        #expect(Self.steps(Self.planner.plan(request, now: F.now), "slack").isEmpty)
    }

    @Test func aTargetAlreadyNotifiedIsFollowedUpWhenTheDecisionNoLongerNamesIt() {
        // A tightened policy denied the request: the stored decision has no recipients any more.
        var request = Self.pending(notifications: [Self.card("Pending/0/1", target: "#old-channel")])
        request.status?.phase = .denied
        request.status?.decision = PolicyDecision(policies: ["strict"], outcome: .deny, reason: "DeniedByPolicy")
        let plan = Self.planner.plan(request, now: F.now)
        #expect(plan.targets.map(\.target) == ["#old-channel"])
        #expect(Self.steps(plan, "slack") == [.updateCard("Denied")])
    }

    // MARK: Events

    @Test func everyTransitionIsOneEventWithAStableIDSentOnce() {
        let request = Self.granted(.expired, notifications: [])
        let transitions = DeliveryPlanner.transitions(of: request)
        #expect(transitions.map(\.type) == [.pending, .reviewed, .reviewed, .granted, .expired])
        #expect(transitions.map(\.key).suffix(2) == ["\(F.uid)/granted", "\(F.uid)/expired"])
        #expect(transitions.last?.id == RequestEventType.eventID(idempotencyKey: "\(F.uid)/expired"))
        #expect(DeliveryPlanner.transitions(of: request) == transitions)

        let firstThree = NotificationState(
            channel: "webhook", target: "siem/url", delivered: true, attempts: 3,
            events: transitions.prefix(3).map(\.id))
        let plan = Self.planner.plan(Self.granted(.expired, notifications: [firstThree]), now: F.now)
        #expect(Self.steps(plan, "webhook") == transitions.suffix(2).map(DeliveryStep.event))
        let all = NotificationState(
            channel: "webhook", target: "siem/url", delivered: true, attempts: 5, events: transitions.map(\.id))
        #expect(
            Self.steps(Self.planner.plan(Self.granted(.expired, notifications: [all]), now: F.now), "webhook").isEmpty)
    }

    @Test func aDecisionThatNeedsNoReviewIsNoPendingEvent() {
        var request = Self.pending()
        request.status?.decision?.outcome = .autoApprove
        #expect(DeliveryPlanner.transitions(of: request).isEmpty)
        // Auto-approved decisions carry no recipients: nothing is planned.
        #expect(Self.planner.plan(request, now: F.now).isEmpty)
    }
}

extension Date {
    fileprivate static func + (date: Date, seconds: TimeInterval) -> Date { date.addingTimeInterval(seconds) }
}
