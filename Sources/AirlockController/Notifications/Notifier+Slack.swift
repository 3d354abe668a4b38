import AirlockAPI
import AirlockChat
import Foundation
import KubeCore

extension Notifier {
    /// Performs a Slack target's steps in order; the first failure ends the pass for the target
    /// (its later steps wait for the retry).
    func deliverSlack(
        _ target: DeliveryPlan.Target, state: NotificationState, request: ActionRequest, now: Date
    ) async -> NotificationState {
        var state = state
        if case .unavailable(let reason)? = target.steps.first {
            state.lastError = reason
            return state
        }
        let client: SlackClient
        let summary: ApprovalSummary
        do throws(ChatError) {
            guard let slack = configuration.slack else {
                throw ChatError(.invalidInput, DeliveryPlanner.slackNotConfigured)
            }
            client = try await slack.client()
            summary = try ApprovalSummary(request: request)
        } catch {
            // Nothing reached Slack now: only an earlier attempt can leave the card in doubt.
            if case .postCard(let lookUpFirst)? = target.steps.first { state.inDoubt = lookUpFirst ? true : nil }
            failed(&state, error)
            return state
        }
        let card = SlackApprovalCard(summary: summary)
        for step in target.steps {
            do throws(ChatError) {
                switch step {
                case .postCard(let lookUpFirst):
                    // A post that failed transiently may have reached Slack: the next try looks first.
                    try await retryingTransientFailures { (again) throws(ChatError) in
                        try await post(
                            card, to: target.target, lookUpFirst: lookUpFirst || again, client: client, state: &state)
                    }
                case .updateCard(let shows):
                    state.attempts += 1
                    state.lastAttemptAt = now
                    try await retryingTransientFailures { (_) throws(ChatError) in
                        try await update(card, shows: shows, client: client, state: &state)
                    }
                case .reply(let reply, let lookUpFirst):
                    state.attempts += 1
                    state.lastAttemptAt = now
                    try await post(reply, lookUpFirst: lookUpFirst, summary: summary, client: client, state: &state)
                case .event, .unavailable:
                    break
                }
                succeeded(&state)
            } catch {
                failed(&state, error, pauseSlack: error.kind == .rateLimited)
                break
            }
        }
        return state
    }

    /// Posts the card, or — when an earlier attempt may have posted it — finds it first.
    private func post(
        _ card: SlackApprovalCard, to channel: String, lookUpFirst: Bool, client: SlackClient,
        state: inout NotificationState
    ) async throws(ChatError) {
        if lookUpFirst {
            let oldest = card.summary.createdAt?.addingTimeInterval(-300)
            do throws(ChatError) {
                if let found = try await client.findMessage(channel: channel, metadata: card.metadata, oldest: oldest) {
                    logger.info(
                        "found the card of \(card.summary.request.qualifiedName) posted by an earlier attempt",
                        metadata: ["channel": "\(channel)", "ts": "\(found.ts)"])
                    state.messageRef = found.description
                    state.delivered = true
                    state.inDoubt = nil
                    // What it shows is unknown: the next pass updates it.
                    state.card = nil
                    return
                }
            } catch  where error.apiError == "channel_not_found" && !Self.isChannelID(channel) {
                // conversations.history needs a channel id; with a name the card cannot be looked
                // up, and is posted again (docs/slack.md: name channels by id).
                logger.warning("cannot look up cards in channel \(channel) by name: posting again; use its id")
            }
        }
        // Looked up (or no earlier attempt): from here only this post can be in doubt.
        let ref: SlackMessageRef
        do throws(ChatError) {
            ref = try await client.postMessage(
                SlackMessage(channel: channel, content: card.current(), metadata: card.metadata))
        } catch {
            // Slack answered (429, ok:false): not posted. Anything else (5xx, timeout): in doubt.
            if error.kind == .rateLimited || error.kind == .api { state.inDoubt = nil }
            throw error
        }
        state.messageRef = ref.description
        state.delivered = true
        state.inDoubt = nil
        state.card = DeliveryPlanner.cardState(of: card.summary)
        delivered.increment()
    }

    /// Updates the card to the request's state; a card that is gone is not updated again.
    private func update(
        _ card: SlackApprovalCard, shows: String, client: SlackClient, state: inout NotificationState
    ) async throws(ChatError) {
        guard let ref = state.messageRef.flatMap(SlackMessageRef.init(parsing:)) else { return }
        do throws(ChatError) {
            _ = try await client.update(ref, content: card.current(), metadata: card.metadata)
        } catch  where Self.messageGone(error) {
            logger.warning("the card \(ref) of \(card.summary.request.qualifiedName) is gone: not updated")
        }
        state.card = shows
        delivered.increment()
    }

    /// Posts a thread reply under the card — or, when an earlier attempt may have posted it,
    /// finds it in the thread first.
    private func post(
        _ reply: NotificationState.Reply, lookUpFirst: Bool, summary: ApprovalSummary, client: SlackClient,
        state: inout NotificationState
    ) async throws(ChatError) {
        guard let ref = state.messageRef.flatMap(SlackMessageRef.init(parsing:)) else { return }
        let metadata = SlackMessageMetadata(threadReply: reply.rawValue, for: summary.request)
        if lookUpFirst {
            do throws(ChatError) {
                if try await client.findReply(in: ref, metadata: metadata) != nil {
                    logger.info("found the \(reply.rawValue) reply of \(summary.request.qualifiedName) posted earlier")
                    recordReply(reply, in: &state)
                    return
                }
            } catch  where Self.messageGone(error) {
                logger.warning("the card \(ref) of \(summary.request.qualifiedName) is gone: no thread reply")
                recordReply(reply, in: &state)
                return
            }
        }
        let text: String
        switch reply {
        case .granted: text = SlackThreadReply.granted(summary)
        case .endingSoon: text = SlackThreadReply.endingSoon(summary, now: clock.date)
        case .ended: text = SlackThreadReply.ended(summary)
        case .revoked: text = SlackThreadReply.revoked(summary)
        }
        do throws(ChatError) {
            _ = try await client.postMessage(
                SlackMessage(channel: ref.channel, text: text, threadTS: ref.ts, metadata: metadata))
        } catch  where Self.messageGone(error) {
            logger.warning("the card \(ref) of \(summary.request.qualifiedName) is gone: no thread reply")
        }
        recordReply(reply, in: &state)
        delivered.increment()
    }

    /// Records `reply` as posted: no longer in doubt.
    private func recordReply(_ reply: NotificationState.Reply, in state: inout NotificationState) {
        state.replies = (state.replies ?? []) + [reply.rawValue]
        state.repliesInDoubt = state.repliesInDoubt?.filter { $0 != reply.rawValue }
        if state.repliesInDoubt?.isEmpty == true { state.repliesInDoubt = nil }
    }

    /// Runs `call`, and again at once (with `again` true) up to ``ChatConfiguration/quickRetries``
    /// times while it fails transiently (5xx, timeout, connection). Only for calls that are safe
    /// to repeat: updates, and card posts that look the card up before posting again.
    private func retryingTransientFailures(
        _ call: (_ again: Bool) async throws(ChatError) -> Void
    ) async throws(ChatError) {
        var tries = 0
        while true {
            do throws(ChatError) {
                return try await call(tries > 0)
            } catch  where error.kind == .unavailable && tries < configuration.quickRetries {
                tries += 1
                logger.debug("a Slack call failed transiently: trying again at once (\(tries))")
            }
        }
    }

    // MARK: Outcomes

    func succeeded(_ state: inout NotificationState) {
        state.lastError = nil
        state.failures = nil
        state.retryAt = nil
    }

    /// Records a failure and when to try again: the `Retry-After` asked for, else the backoff,
    /// counted from the failure.
    func failed(
        _ state: inout NotificationState, _ error: ChatError, pauseSlack: Bool = false, pauseTeams: Bool = false
    ) {
        let now = clock.date
        let failures = (state.failures ?? 0) + 1
        state.failures = failures
        state.lastError = String(error.description.prefix(1024))
        let delay =
            error.retryAfterSeconds.map { Double(max(1, $0)) }
            ?? configuration.retry.delay(attempt: failures - 1).seconds
        let retryAt = now.addingTimeInterval(delay)
        state.retryAt = retryAt
        if pauseSlack {
            slackPausedUntil.withLock { $0 = max($0 ?? retryAt, retryAt) }
        }
        if pauseTeams {
            teamsPausedUntil.withLock { $0 = max($0 ?? retryAt, retryAt) }
        }
        self.failed.increment()
        logger.warning(
            "notification failed",
            metadata: [
                "channel": "\(state.channel)", "target": "\(state.target ?? "")", "error": "\(error)",
                "retryIn": "\(Int(delay)) s",
            ])
    }

    /// Slack says the card (or its thread) no longer exists.
    static func messageGone(_ error: ChatError) -> Bool {
        ["message_not_found", "cant_update_message", "thread_not_found", "edit_window_closed"]
            .contains(error.apiError ?? "")
    }

    /// `C…`, `G…` or `D…` followed by upper-case letters and digits.
    static func isChannelID(_ channel: String) -> Bool {
        guard let first = channel.first, "CGD".contains(first), channel.count >= 7 else { return false }
        return channel.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }
    }
}

extension DeliveryPlanner {
    /// What a card rendered from `summary` shows (``cardState(of:)`` of its request).
    static func cardState(of summary: ApprovalSummary) -> String {
        guard summary.phase == .pending else { return summary.phase.rawValue }
        return "Pending/\(summary.countedApprovers.count)/\(summary.requiredApprovals)"
    }
}
