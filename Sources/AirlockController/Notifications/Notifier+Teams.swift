import AirlockAPI
import AirlockChat
import Foundation
import KubeClient
import KubeCore

extension Notifier {
    /// Performs a Teams target's steps in order (post the card, update it for everyone, reply
    /// under it); the first failure ends the pass for the target (its later steps wait for the
    /// retry; a 429 pauses every Teams call until its `Retry-After`).
    ///
    /// The Bot Connector has no look-up by content: a post left in doubt by a crash between the
    /// connector's answer and the status write is posted again (the card is never lost; in that
    /// narrow window it may appear twice). Every other path posts exactly once: the attempt is
    /// recorded before the post, and the activity id right after.
    func deliverTeams(
        _ target: DeliveryPlan.Target, state: NotificationState, request: ActionRequest, now: Date
    ) async -> NotificationState {
        var state = state
        if case .unavailable(let reason)? = target.steps.first {
            state.lastError = reason
            return state
        }
        let connector: BotConnectorClient
        let card: TeamsApprovalCard
        let conversation: TeamsConversationRef
        do throws(ChatError) {
            guard let teams = configuration.teams else {
                throw ChatError(.invalidInput, DeliveryPlanner.teamsNotConfigured)
            }
            guard let parsed = TeamsConversationRef(parsing: target.target) else {
                throw ChatError(.invalidInput, "Teams target '\(target.target)' is not '<serviceUrl> <conversationId>'")
            }
            conversation = parsed
            connector = try await teams.connector()
            card = TeamsApprovalCard(
                summary: try ApprovalSummary(request: request), candidates: await teams.refreshCandidates())
        } catch {
            if case .postCard(let lookUpFirst)? = target.steps.first { state.inDoubt = lookUpFirst ? true : nil }
            failed(&state, error)
            return state
        }
        for step in target.steps {
            do throws(ChatError) {
                switch step {
                case .postCard(let inDoubt):
                    if inDoubt {
                        let name = card.summary.request.qualifiedName
                        logger.warning(
                            "an earlier post of the Teams card of \(name) may have arrived; the Bot Connector cannot look it up: posting again"
                        )
                    }
                    do throws(ChatError) {
                        state.messageRef = try await connector.send(card.activity(), to: conversation)
                    } catch {
                        // The connector answered (429, 4xx): not posted. Anything else: in doubt.
                        if error.kind == .rateLimited || error.kind == .api { state.inDoubt = nil }
                        throw error
                    }
                    state.delivered = true
                    state.inDoubt = nil
                    state.card = DeliveryPlanner.cardState(of: card.summary)
                case .updateCard(let shows):
                    state.attempts += 1
                    state.lastAttemptAt = now
                    if let id = state.messageRef {
                        try await connector.update(id, with: card.activity(), in: conversation)
                    }
                    state.card = shows
                case .reply(let reply, _):
                    state.attempts += 1
                    state.lastAttemptAt = now
                    if let id = state.messageRef {
                        _ = try await connector.reply(
                            to: id, with: TeamsReply.activity(reply, card.summary, now: clock.date), in: conversation)
                    }
                    state.replies = (state.replies ?? []) + [reply.rawValue]
                case .event, .unavailable:
                    break
                }
                succeeded(&state)
                delivered.increment()
            } catch {
                failed(&state, error, pauseTeams: error.kind == .rateLimited)
                break
            }
        }
        return state
    }

    /// Posts a Teams Workflows webhook's due messages: the card, then the phase it reached
    /// (at least once: a crash between a post and its record posts it again).
    func deliverWorkflows(
        _ target: DeliveryPlan.Target, state: NotificationState, request: ActionRequest, now: Date
    ) async -> NotificationState {
        var state = state
        let url: String
        let card: TeamsApprovalCard
        do throws(ChatError) {
            url = try await secretValue(target.target, what: "Teams Workflows webhook URL")
            card = TeamsApprovalCard(summary: try ApprovalSummary(request: request))
        } catch {
            failed(&state, error)
            return state
        }
        for step in target.steps {
            do throws(ChatError) {
                if case .updateCard = step {
                    state.attempts += 1
                    state.lastAttemptAt = now
                }
                try await workflows.post(card.workflowsMessage(), to: url)
                state.delivered = true
                state.inDoubt = nil
                state.card = card.summary.phase.rawValue
                succeeded(&state)
                delivered.increment()
            } catch {
                failed(&state, error)
                break
            }
        }
        return state
    }

    /// The value under `name/key` of a Secret in the controller's namespace.
    func secretValue(_ target: String, what: String) async throws(ChatError) -> String {
        guard let ref = SecretKeyRef(parsing: target) else {
            throw ChatError(.invalidInput, "\(what) target '\(target)' is not name/key")
        }
        let location = "Secret \(configuration.namespace)/\(ref.name)"
        let secret: Secret
        do {
            secret = try await secrets.secret(named: ref.name)
        } catch let error as KubernetesError where error.isNotFound {
            throw ChatError(.unavailable, "\(location) does not exist: create it")
        } catch {
            throw ChatError(.unavailable, "cannot read \(location): \(error)")
        }
        guard let value = secret.string(ref.key)?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            throw ChatError(.invalidInput, "\(location) has no key \(ref.key): it must hold the \(what)")
        }
        return value
    }
}
