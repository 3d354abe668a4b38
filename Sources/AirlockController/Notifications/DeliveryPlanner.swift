import AirlockAPI
import AirlockChat
import Foundation

/// Decides what must be delivered about one ActionRequest, from the request alone (phase,
/// decision, reviews, grant times and `status.notifications`) and the time: pure, so delivery
/// is level-based — whatever was lost or interrupted is found again on the next look.
///
/// Targets are the recipients stored with the decision (`status.decision.notify`) plus every
/// target already in `status.notifications` (a card once posted is followed up even if a
/// tightened policy no longer names the channel).
///
/// Slack per channel, and Teams per conversation, in order:
/// 1. **post** the card while the request is Pending (or finish a post already attempted,
///    looking the card up first when the attempt is in doubt);
/// 2. **update** the card when what it shows (``cardState(of:)``) differs from the request:
///    approvals so far, then the outcome (who decided, buttons replaced, Revoke while Granted);
/// 3. **thread replies**: access granted (while Granted), ``endingSoonLead`` before it ends
///    (only for grants longer than that), ended (expired after a grant), revoked (after a grant).
///
/// Teams Workflows webhooks (notification only): the card while Pending, then a message when
/// the phase changes.
///
/// Webhooks: every transition the lifecycle announces (pending, each review verdict, granted,
/// the end) not yet delivered, as CloudEvents with ids derived from the announcement keys.
///
/// A target waits while its `retryAt` is in the future, and Slack (Teams) targets while Slack
/// (the Bot Connector) asked to pause (`slackPausedUntil`, `teamsPausedUntil`: a `Retry-After`).
public struct DeliveryPlanner: Sendable {
    /// Whether Slack credentials are configured (without them, Slack targets are recorded as
    /// not deliverable).
    public var slackConfigured: Bool
    /// How long before the end the "ending soon" reply is posted.
    public var endingSoonLead: TimeInterval

    /// Whether the Teams bot is configured (without it, Teams targets are recorded as not
    /// deliverable).
    public var teamsConfigured: Bool

    public init(slackConfigured: Bool = true, teamsConfigured: Bool = true, endingSoonLead: TimeInterval = 300) {
        self.slackConfigured = slackConfigured
        self.teamsConfigured = teamsConfigured
        self.endingSoonLead = endingSoonLead
    }

    /// Why Teams targets are not delivered without the bot.
    public static let teamsNotConfigured =
        "the Teams bot is not configured on the controller (--teams-secret): not posted"

    /// Why Slack targets are not delivered without credentials.
    public static let slackNotConfigured =
        "Slack is not configured on the controller (--slack-secret or --slack-token-file): not posted"

    public func plan(
        _ request: ActionRequest, now: Date, slackPausedUntil: Date? = nil, teamsPausedUntil: Date? = nil
    ) -> DeliveryPlan {
        guard let status = request.status, request.metadata.uid?.isEmpty == false else { return DeliveryPlan() }
        var plan = DeliveryPlan()
        func wake(_ date: Date) { plan.wakeAt = min(plan.wakeAt ?? date, date) }
        let states = status.notifications ?? []
        let recipients = status.decision?.outcome == .requireApproval ? status.decision?.notify : nil

        let cards: [(channel: String, named: [String], configured: Bool, paused: Date?, reason: String)] = [
            (
                AirlockConstants.Channel.slack, recipients?.slackChannels ?? [], slackConfigured, slackPausedUntil,
                Self.slackNotConfigured
            ),
            (
                AirlockConstants.Channel.teams, (recipients?.teamsConversations ?? []).map(\.description),
                teamsConfigured, teamsPausedUntil, Self.teamsNotConfigured
            ),
        ]
        for card in cards {
            for target in Self.targets(card.named, states, channel: card.channel) {
                let state = states.first { $0.channel == card.channel && $0.target == target }
                if let retryAt = state?.retryAt, retryAt > now {
                    wake(retryAt)
                    continue
                }
                if card.configured, let paused = card.paused, paused > now {
                    wake(paused)
                    continue
                }
                let steps = cardSteps(
                    configured: card.configured, notConfigured: card.reason, status: status, state: state, now: now,
                    wake: wake)
                if !steps.isEmpty { plan.targets.append(.init(channel: card.channel, target: target, steps: steps)) }
            }
        }

        let workflows = Self.targets(
            (recipients?.teamsWebhookSecrets ?? []).map(\.description), states,
            channel: AirlockConstants.Channel.teamsWebhook)
        for target in workflows {
            let state = states.first { $0.channel == AirlockConstants.Channel.teamsWebhook && $0.target == target }
            if let retryAt = state?.retryAt, retryAt > now {
                wake(retryAt)
                continue
            }
            let steps = Self.workflowsSteps(status: status, state: state)
            if !steps.isEmpty {
                plan.targets.append(.init(channel: AirlockConstants.Channel.teamsWebhook, target: target, steps: steps))
            }
        }

        let webhooks = Self.targets(
            (recipients?.webhookSecrets ?? []).map(\.description), states, channel: AirlockConstants.Channel.webhook)
        if !webhooks.isEmpty {
            let transitions = Self.transitions(of: request)
            for target in webhooks {
                let state = states.first { $0.channel == AirlockConstants.Channel.webhook && $0.target == target }
                if let retryAt = state?.retryAt, retryAt > now {
                    wake(retryAt)
                    continue
                }
                let sent = Set(state?.events ?? [])
                let due = transitions.filter { !sent.contains($0.id) }
                if !due.isEmpty {
                    plan.targets.append(
                        .init(
                            channel: AirlockConstants.Channel.webhook, target: target,
                            steps: due.map(DeliveryStep.event)))
                }
            }
        }
        return plan
    }

    /// A card channel's steps (Slack and Teams alike): post, update, replies.
    private func cardSteps(
        configured: Bool, notConfigured: String, status: ActionRequestStatus, state: NotificationState?, now: Date,
        wake: (Date) -> Void
    ) -> [DeliveryStep] {
        let phase = status.phase ?? .pending
        guard configured else {
            return state == nil && phase == .pending ? [.unavailable(notConfigured)] : []
        }
        guard let state, state.messageRef != nil else {
            // Cards are posted for requests waiting for review; an attempt begun is finished
            // whatever the request became meanwhile (the card then shows the outcome).
            guard phase == .pending || (state?.attempts ?? 0) > 0 else { return [] }
            return [.postCard(lookUpFirst: state?.inDoubt == true)]
        }
        var steps: [DeliveryStep] = []
        let card = Self.cardState(of: status)
        if state.card != card { steps.append(.updateCard(card)) }
        let sent = Set(state.replies ?? [])
        let inDoubt = Set(state.repliesInDoubt ?? [])
        func due(_ reply: NotificationState.Reply) {
            if !sent.contains(reply.rawValue) {
                steps.append(.reply(reply, lookUpFirst: inDoubt.contains(reply.rawValue)))
            }
        }
        guard let grantedAt = status.grantedAt else { return steps }
        switch phase {
        case .granted:
            due(.granted)
            if let expiresAt = status.expiresAt, expiresAt.timeIntervalSince(grantedAt) > endingSoonLead {
                let warnAt = expiresAt.addingTimeInterval(-endingSoonLead)
                if now >= warnAt {
                    if now < expiresAt { due(.endingSoon) }
                } else if !sent.contains(NotificationState.Reply.endingSoon.rawValue) {
                    wake(warnAt)
                }
            }
        case .expired: due(.ended)
        case .revoked: due(.revoked)
        case .pending, .denied, .failed: break
        }
        return steps
    }

    /// A Teams Workflows webhook's steps: post the card while Pending (no look-up exists: a post
    /// in doubt is posted again), then one message per later phase (webhook cards cannot be
    /// updated); the phase posted last is the state's `card`.
    static func workflowsSteps(status: ActionRequestStatus, state: NotificationState?) -> [DeliveryStep] {
        let phase = status.phase ?? .pending
        guard let state, state.delivered else {
            guard phase == .pending || (state?.attempts ?? 0) > 0 else { return [] }
            return [.postCard(lookUpFirst: false)]
        }
        return state.card == phase.rawValue ? [] : [.updateCard(phase.rawValue)]
    }

    /// What the card shows for `status`: `Pending/<approvals>/<required>` while Pending (so
    /// progress updates it), else the phase.
    public static func cardState(of status: ActionRequestStatus) -> String {
        let phase = status.phase ?? .pending
        guard phase == .pending else { return phase.rawValue }
        let approvals = Set(
            (status.reviews ?? []).filter { $0.counted && $0.decision == .approve }.map(\.reviewer)
        ).count
        return "Pending/\(approvals)/\(max(1, status.decision?.requiredApprovals ?? 1))"
    }

    /// The transitions the lifecycle announced for `request` that are CloudEvents, in order:
    /// `pending` (a decision requiring review), `reviewed` (each listed verdict), `granted`,
    /// and the end. Ids derive from the announcement keys, so they never change.
    public static func transitions(of request: ActionRequest) -> [PlannedEvent] {
        Announcements.implied(by: request).compactMap { announcement -> PlannedEvent? in
            guard let record = announcement.audit else { return nil }
            let type: RequestEventType
            switch record.event {
            case "evaluated":
                guard record.outcome == DecisionOutcome.requireApproval.rawValue else { return nil }
                type = .pending
            case "reviewed", "review-rejected": type = .reviewed
            case "granted": type = .granted
            case "denied": type = .denied
            case "expired": type = .expired
            case "revoked": type = .revoked
            case "failed": type = .failed
            default: return nil
            }
            return PlannedEvent(key: announcement.key, type: type, time: record.time)
        }
    }

    /// The targets the decision names, then those only the status still lists.
    private static func targets(_ named: [String], _ states: [NotificationState], channel: String) -> [String] {
        var all = named
        for state in states where state.channel == channel {
            if let target = state.target, !all.contains(target) { all.append(target) }
        }
        return all
    }
}
