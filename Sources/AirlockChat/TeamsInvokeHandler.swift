import AirlockAPI
import Foundation
import KubeCore
import Logging

/// What ``TeamsInvokeHandler`` made of one POST to `/teams/messages`; the caller performs it.
public enum TeamsInvokeOutcome: Sendable {
    /// Act on a verified card click (or refresh) by `identity` (nil: the user is not mapped).
    case act(TeamsCardAction, activity: TeamsActivity, identity: ChatIdentity?)
    /// Answer this and do nothing else.
    case respond(TeamsHTTPAnswer)
}

/// Turns one activity the Bot Framework POSTs into a ``TeamsInvokeOutcome``, without acting:
///
/// 1. the body is read (bounded) only to learn its `serviceUrl`; then the Bearer JWT is
///    validated (``BotFrameworkTokenValidator``, keys from ``BotFrameworkKeys``): no token
///    401, any other failure 403 — nothing is acted on before that;
/// 2. the tenant must be one of ``allowedTenantIDs`` (a multi-tenant bot can be installed by
///    anyone; only clicks from the organisation's own tenants count): else 403;
/// 3. anything but an `adaptiveCard/action` invoke is acknowledged (200) and ignored — the
///    conversation id of a message is logged, to help put it in a policy;
/// 4. the action is parsed (a malformed one is an invoke error, 400 inside the 200) and the
///    user mapped (``TeamsUserMapping``).
public struct TeamsInvokeHandler: Sendable {
    /// Largest body read (an invoke echoes the card's data, not the card).
    public static let maxBodyBytes = 256 << 10

    public let validator: BotFrameworkTokenValidator
    public let keys: BotFrameworkKeys
    public let allowedTenantIDs: Set<String>
    public let mapping: TeamsUserMapping
    public let connector: BotConnectorClient
    private let logger: Logger

    public init(
        validator: BotFrameworkTokenValidator, keys: BotFrameworkKeys, allowedTenantIDs: Set<String>,
        mapping: TeamsUserMapping, connector: BotConnectorClient, logger: Logger = Logger(label: "airlock.teams")
    ) {
        self.validator = validator
        self.keys = keys
        self.allowedTenantIDs = allowedTenantIDs
        self.mapping = mapping
        self.connector = connector
        self.logger = logger
    }

    /// Handles one POST: `body` as received, `headers` with names in any case.
    public func handle(body: [UInt8], headers: [String: String], now: Date) async -> TeamsInvokeOutcome {
        guard body.count <= Self.maxBodyBytes else { return .respond(.refused(413, "body too large")) }
        let authorization = headers.first { $0.key.lowercased() == "authorization" }?.value
        guard let token = BotFrameworkTokenValidator.bearerToken(authorization) else {
            logger.warning("Teams activity refused", metadata: ["reason": "no Bearer token"])
            return .respond(.refused(401, "a Bot Framework Bearer token is required"))
        }
        let activity: TeamsActivity
        do throws(ChatError) {
            activity = try TeamsActivity(json: body)
            let keySet = try await keys.keys(for: BotFrameworkTokenValidator.keyID(of: token))
            try validator.validate(
                token, serviceURL: activity.serviceURL, channelID: activity.channelID, keys: keySet, now: now)
        } catch {
            logger.warning("Teams activity refused", metadata: ["reason": "\(error.message)"])
            if error.kind == .unavailable { return .respond(.refused(503, "cannot verify tokens right now")) }
            return .respond(.refused(403, "the Bot Framework token is not valid for this bot"))
        }
        guard let tenant = activity.tenantID, allowedTenantIDs.contains(tenant) else {
            logger.warning(
                "Teams activity refused",
                metadata: ["reason": "tenant not allowed", "tenant": "\(activity.tenantID ?? "")"])
            return .respond(.refused(403, "this tenant may not use this Airlock"))
        }
        guard activity.isCardAction else {
            logger.info(
                "Teams activity ignored (only card actions are handled)",
                metadata: [
                    "type": "\(activity.type)", "serviceUrl": "\(activity.serviceURL)",
                    "conversationId": "\(activity.conversationID)",
                ])
            return .respond(.ok)
        }
        let action: TeamsCardAction
        do throws(ChatError) {
            action = try TeamsCardAction(value: activity.value)
        } catch {
            return .respond(.badRequest(error.message))
        }
        let identity: ChatIdentity?
        do throws(ChatError) {
            identity = try await mapping.identity(for: activity, connector: connector)
        } catch {
            logger.warning("Teams user look-up failed", metadata: ["error": "\(error.message)"])
            return .respond(.badRequest("Airlock could not look you up right now; try again"))
        }
        return .act(action, activity: activity, identity: identity)
    }
}
