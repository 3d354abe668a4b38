import AirlockAPI
import Crypto
import Foundation
import KubeCore
import Logging
import Synchronization

/// Turns one POST to the Slack interactivity URL into a ``SlackInteractionOutcome``, without
/// performing the review itself:
///
/// 1. verify `X-Slack-Signature` over the raw body, **before parsing anything**
///    (401 when missing, malformed, stale or wrong);
/// 2. refuse a replay: the same signature and timestamp seen within the 5-minute window (401);
/// 3. parse `block_actions` / `view_submission` (400 when malformed);
/// 4. map the Slack user to a Kubernetes identity (an unmapped user gets a note, 200);
/// 5. return the intent: submit a review (Approve, Approve for less, Revoke, Deny with its
///    reason), open the Deny modal, or answer.
///
/// The caller persists the review, then answers within Slack's 3 seconds.
public final class SlackInteractionHandler: Sendable {
    /// Largest body read (Slack payloads echo the message: a few tens of kB).
    public static let maxBodyBytes = 1 << 20

    private let signature: SlackSignature
    private let mapper: any ChatUserMapper
    private let allowedTeamIDs: Set<String>
    private let replays: Mutex<SlackReplayCache>
    private let logger: Logger

    /// - Parameters:
    ///   - allowedTeamIDs: workspaces accepted (empty: any workspace that has the signing secret).
    ///   - replayCapacity: signed requests remembered within the window.
    public init(
        signature: SlackSignature, mapper: any ChatUserMapper, allowedTeamIDs: Set<String> = [],
        replayCapacity: Int = 10_000, logger: Logger = Logger(label: "airlock.slack.interactions")
    ) {
        self.signature = signature
        self.mapper = mapper
        self.allowedTeamIDs = allowedTeamIDs
        self.replays = Mutex(SlackReplayCache(capacity: replayCapacity, window: signature.tolerance))
        self.logger = logger
    }

    /// Handles one request.
    ///
    /// - Parameters:
    ///   - body: the raw body bytes exactly as received.
    ///   - headers: request headers (names in any case).
    ///   - now: the current time (the signature's timestamp is checked against it).
    public func handle(body: [UInt8], headers: [String: String], now: Date) async -> SlackInteractionOutcome {
        guard body.count <= Self.maxBodyBytes else { return .respond(.error(413, "body too large")) }
        let lowered = Dictionary(
            headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        let signatureValue = lowered[SlackSignature.signatureHeader.lowercased()]
        let timestamp: Int64
        do {
            timestamp = try signature.verify(
                body: body, timestamp: lowered[SlackSignature.timestampHeader.lowercased()], signature: signatureValue,
                now: now)
        } catch {
            logger.warning("Slack interaction refused", metadata: ["reason": "\(error.message)"])
            return .respond(.error(401, error.message))
        }
        switch replays.withLock({ $0.record(signature: signatureValue ?? "", timestamp: timestamp, now: now) }) {
        case .fresh: break
        case .replayed:
            logger.warning("Slack interaction refused", metadata: ["reason": "replayed"])
            return .respond(.error(401, "this signed request was already received (replay)"))
        case .full:
            logger.error("Slack interaction refused: replay cache full")
            return .respond(.error(503, "too many interactions at once: try again"))
        }
        let interaction: SlackInteraction
        do {
            interaction = try SlackInteraction(formBody: body)
        } catch {
            logger.warning("Slack interaction malformed", metadata: ["reason": "\(error.message)"])
            return .respond(.error(400, error.message))
        }
        switch interaction {
        case .blockActions(let payload): return await handle(payload)
        case .viewSubmission(let payload): return await handle(payload)
        case .other: return .respond(.ok)
        }
    }

    // MARK: Clicks

    private func handle(_ payload: SlackBlockActions) async -> SlackInteractionOutcome {
        let ours = [SlackActionID.approve, SlackActionID.approveFor, SlackActionID.deny, SlackActionID.revoke]
        guard let action = payload.actions.first(where: { ours.contains($0.actionID) }) else { return .respond(.ok) }
        guard teamAllowed(payload.teamID) else { return .respond(.error(403, "this Slack workspace is not allowed")) }
        let reference: ChatRequestReference
        var duration: KubeDuration? = nil
        do {
            if action.actionID == SlackActionID.approveFor {
                (duration, reference) = try Self.approveFor(action, blocks: payload.messageBlocks)
            } else {
                reference = try ChatRequestReference(parsing: action.value ?? "")
            }
        } catch {
            return .respond(.error(400, error.message))
        }
        let identity: ChatIdentity
        switch await map(payload.user, teamID: payload.teamID) {
        case .success(let mapped): identity = mapped
        case .failure(let unmapped): return .respond(.note(unmapped.note, responseURL: payload.responseURL))
        }
        if action.actionID == SlackActionID.deny {
            guard let trigger = payload.triggerID else {
                return .respond(.error(400, "the block_actions payload has no trigger_id"))
            }
            let modal = SlackDenyModal(request: reference, message: payload.message)
            return .openModal(triggerID: trigger, view: modal.view, responseURL: payload.responseURL)
        }
        let decision: ReviewDecision = action.actionID == SlackActionID.revoke ? .revoke : .approve
        let key = Self.key([
            "block_actions", payload.teamID ?? "", payload.user.id, reference.description, action.actionID,
            action.actionTS ?? "", payload.messageTS ?? "", duration?.description ?? "",
        ])
        let intent = ChatReviewIntent(
            request: reference, decision: decision, duration: duration, externalUser: payload.user.id,
            externalUsername: payload.user.username, externalTeam: payload.teamID, username: identity.username,
            groups: identity.groups, message: payload.message, responseURL: payload.responseURL, source: .button,
            idempotencyKey: key)
        logger.info(
            "Slack review",
            metadata: [
                "request": "\(reference.qualifiedName)", "decision": "\(decision.rawValue)",
                "slackUser": "\(payload.user.id)", "username": "\(identity.username)",
            ])
        return .submitReview(intent)
    }

    /// The duration and request of an "Approve for less" choice: `<duration>|<reference>`, or
    /// `<duration>` with the reference of the card's Approve button.
    static func approveFor(
        _ action: SlackAction, blocks: [JSONValue]
    ) throws(ChatError) -> (KubeDuration, ChatRequestReference) {
        guard let chosen = action.selectedOptionValue else {
            throw ChatError(.malformedPayload, "the approve_for action has no selected_option")
        }
        let parts = chosen.split(separator: "|", maxSplits: 1).map(String.init)
        guard let first = parts.first, let duration = try? KubeDuration(parsing: first), duration.seconds > 0 else {
            throw ChatError(.malformedPayload, "the approve_for choice is not a positive duration")
        }
        if parts.count == 2 { return (duration, try ChatRequestReference(parsing: parts[1])) }
        let approve = blocks.lazy.compactMap { $0["elements"]?.arrayItems }.joined()
            .first { $0["action_id"]?.stringValue == SlackActionID.approve }
        guard let value = approve?["value"]?.stringValue else {
            throw ChatError(.malformedPayload, "the approve_for choice names no request and the card has none")
        }
        return (duration, try ChatRequestReference(parsing: value))
    }

    // MARK: Modals

    private func handle(_ payload: SlackViewSubmission) async -> SlackInteractionOutcome {
        guard payload.callbackID == SlackActionID.denyModalCallback else { return .respond(.ok) }
        guard teamAllowed(payload.teamID) else { return .respond(.error(403, "this Slack workspace is not allowed")) }
        let modal: SlackDenyModal
        do {
            modal = try SlackDenyModal(privateMetadata: payload.privateMetadata)
        } catch {
            return .respond(.error(400, error.message))
        }
        let reason =
            payload.values[SlackActionID.denyReasonBlock]?[SlackActionID.denyReasonAction]?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !reason.isEmpty else {
            return .respond(.modalErrors([SlackActionID.denyReasonBlock: "Say why, so the requester knows."]))
        }
        guard reason.count <= SlackDenyModal.maxReasonLength else {
            return .respond(
                .modalErrors([SlackActionID.denyReasonBlock: "At most \(SlackDenyModal.maxReasonLength) characters."]))
        }
        let identity: ChatIdentity
        switch await map(payload.user, teamID: payload.teamID) {
        case .success(let mapped): identity = mapped
        case .failure(let unmapped): return .respond(.modalErrors([SlackActionID.denyReasonBlock: unmapped.note]))
        }
        let key = Self.key([
            "view_submission", payload.teamID ?? "", payload.user.id, modal.request.description, payload.viewID ?? "",
        ])
        logger.info(
            "Slack review",
            metadata: [
                "request": "\(modal.request.qualifiedName)", "decision": "Deny", "slackUser": "\(payload.user.id)",
                "username": "\(identity.username)",
            ])
        return .submitReview(
            ChatReviewIntent(
                request: modal.request, decision: .deny, comment: reason, externalUser: payload.user.id,
                externalUsername: payload.user.username, externalTeam: payload.teamID, username: identity.username,
                groups: identity.groups, message: modal.message, source: .modal, idempotencyKey: key))
    }

    // MARK: Helpers

    private struct Unmapped: Error {
        var note: String
    }

    /// The user's identity, or the note explaining why there is none.
    private func map(_ user: SlackUserRef, teamID: String?) async -> Result<ChatIdentity, Unmapped> {
        do {
            guard
                let identity = try await mapper.identity(
                    for: ChatUser(id: user.id, handle: user.username, teamID: teamID))
            else {
                logger.info("Slack user not mapped", metadata: ["slackUser": "\(user.id)"])
                return .failure(
                    Unmapped(
                        note: "Your Slack account (\(user.id)) is not mapped to a Kubernetes user, so Airlock cannot "
                            + "record your review. Ask an Airlock admin to map it; nothing was changed."))
            }
            return .success(identity)
        } catch {
            logger.warning("Slack user lookup failed", metadata: ["slackUser": "\(user.id)", "error": "\(error)"])
            return .failure(
                Unmapped(note: "Airlock could not look up your Slack profile right now; try again in a moment."))
        }
    }

    private func teamAllowed(_ teamID: String?) -> Bool {
        allowedTeamIDs.isEmpty || teamID.map(allowedTeamIDs.contains) == true
    }

    /// SHA-256 hex of the parts, joined unambiguously.
    static func key(_ parts: [String]) -> String {
        let joined = parts.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
        return Hex.encode(SHA256.hash(data: Array(joined.utf8)))
    }
}
