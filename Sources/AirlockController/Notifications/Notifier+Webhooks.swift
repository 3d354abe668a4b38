import AirlockAPI
import AirlockChat
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

extension Notifier {
    /// The key of a webhook Secret holding the signing secret (`whsec_<base64>`), beside the
    /// key holding the URL that the policy names.
    public static let webhookSigningSecretKey = "signing-secret"

    /// Sends a webhook target's due events in order: at least once (a crash between a send and
    /// its record sends it again, with the same id); the first failure waits for the retry.
    func deliverEvents(
        _ target: DeliveryPlan.Target, state: NotificationState, request: ActionRequest, now: Date
    ) async -> NotificationState {
        var state = state
        let endpoint: (url: String, signer: StandardWebhookSigner)
        do throws(ChatError) {
            endpoint = try await webhookEndpoint(target.target)
        } catch {
            state.delivered = false
            failed(&state, error)
            return state
        }
        let summary: ApprovalSummary
        do throws(ChatError) {
            summary = try ApprovalSummary(request: request)
        } catch {
            failed(&state, error)
            return state
        }
        var sentAll = true
        for case .event(let planned) in target.steps {
            state.attempts += 1
            state.lastAttemptAt = now
            let event = planned.type.event(
                summary: summary, idempotencyKey: planned.key, source: configuration.eventSource, time: planned.time)
            do throws(ChatError) {
                _ = try await webhooks.send(event, to: endpoint.url, signer: endpoint.signer, now: clock.date)
                var sent = state.events ?? []
                if !sent.contains(event.id) { sent.append(event.id) }
                state.events = Array(sent.suffix(NotificationState.maxEvents))
                succeeded(&state)
                delivered.increment()
            } catch {
                failed(&state, error)
                sentAll = false
                break
            }
        }
        state.delivered = sentAll
        return state
    }

    /// The URL and signer of a webhook target `name/key`: a Secret in the controller's namespace
    /// holding the URL under `key` and the signing secret under ``webhookSigningSecretKey``.
    private func webhookEndpoint(_ target: String) async throws(ChatError) -> (String, StandardWebhookSigner) {
        let url = try await secretValue(target, what: "event webhook URL")
        let signing = try await secretValue(
            (SecretKeyRef(parsing: target)?.name ?? "") + "/" + Self.webhookSigningSecretKey,
            what: "event webhook signing secret (whsec_<base64>; events are only sent signed)")
        return (url, try StandardWebhookSigner(encodedSecret: signing))
    }
}

extension Secret {
    /// The UTF-8 text of a key.
    func string(_ key: String) -> String? {
        data?[key].map { String(decoding: $0, as: UTF8.self) }
    }
}
