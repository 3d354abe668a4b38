import AirlockAPI
import Foundation
import KubeCore

/// The parts of an incoming Bot Framework activity Airlock reads. Trusted only after the
/// token that came with it validated (``BotFrameworkTokenValidator``).
public struct TeamsActivity: Sendable, Hashable {
    public var type: String
    public var name: String?
    /// The activity's id (unique per invoke: the idempotency key of a click).
    public var id: String?
    public var channelID: String?
    public var serviceURL: String
    /// `from.id`: the user's Teams id (`29:…`).
    public var fromID: String
    /// `from.aadObjectId`: the user's Entra ID object id; absent for anonymous users.
    public var fromAADObjectID: String?
    public var fromName: String?
    public var conversationID: String
    /// `channelData.tenant.id` (or `conversation.tenantId`).
    public var tenantID: String?
    /// The card's activity id (`replyToId`).
    public var replyToID: String?
    public var value: JSONValue?

    /// Parses an activity.
    ///
    /// - Throws: ``ChatError`` (`.malformedPayload`) when a required field is missing.
    public init(json body: [UInt8]) throws(ChatError) {
        guard let json = try? KubeJSON.decode(JSONValue.self, from: Data(body)), json.objectMembers != nil else {
            throw ChatError(.malformedPayload, "the activity is not a JSON object")
        }
        guard let type = json["type"]?.stringValue, let serviceURL = json["serviceUrl"]?.stringValue,
            let fromID = json["from"]?["id"]?.stringValue, let conversationID = json["conversation"]?["id"]?.stringValue
        else {
            throw ChatError(.malformedPayload, "the activity lacks type, serviceUrl, from.id or conversation.id")
        }
        self.type = type
        self.name = json["name"]?.stringValue
        self.id = json["id"]?.stringValue
        self.channelID = json["channelId"]?.stringValue
        self.serviceURL = serviceURL
        self.fromID = fromID
        self.fromAADObjectID = json["from"]?["aadObjectId"]?.stringValue
        self.fromName = json["from"]?["name"]?.stringValue
        self.conversationID = conversationID
        self.tenantID =
            json["channelData"]?["tenant"]?["id"]?.stringValue ?? json["conversation"]?["tenantId"]?.stringValue
        self.replyToID = json["replyToId"]?.stringValue
        self.value = json["value"]
    }

    /// The conversation the activity came from.
    public var conversation: TeamsConversationRef {
        TeamsConversationRef(serviceUrl: serviceURL, conversationId: conversationID)
    }

    /// Whether this is a card button (`invoke` / `adaptiveCard/action`).
    public var isCardAction: Bool { type == "invoke" && name == "adaptiveCard/action" }
}

/// A click on the Teams card, verified and parsed: what to do about which request, with the
/// card's inputs.
public struct TeamsCardAction: Sendable, Hashable {
    public var verb: TeamsVerb
    public var request: ChatRequestReference
    /// The `duration` input (Approve for less).
    public var duration: KubeDuration?
    /// The `reason` input (Deny), trimmed; nil when empty.
    public var reason: String?

    /// The action of an `adaptiveCard/action` invoke's `value`.
    ///
    /// - Throws: ``ChatError`` (`.malformedPayload`) naming what is wrong.
    public init(value: JSONValue?) throws(ChatError) {
        let action = value?["action"]
        guard action?["type"]?.stringValue == "Action.Execute", let verbText = action?["verb"]?.stringValue else {
            throw ChatError(.malformedPayload, "the invoke is not an Action.Execute")
        }
        guard let verb = TeamsVerb(rawValue: verbText) else {
            throw ChatError(.malformedPayload, "unknown verb '\(verbText.prefix(64))'")
        }
        guard let reference = action?["data"]?["request"]?.stringValue else {
            throw ChatError(.malformedPayload, "the action names no request")
        }
        self.verb = verb
        self.request = try ChatRequestReference(parsing: reference)
        let data = action?["data"]
        if let text = data?[TeamsApprovalCard.Input.duration]?.stringValue, !text.isEmpty {
            guard let duration = try? KubeDuration(parsing: text) else {
                throw ChatError(.malformedPayload, "the duration '\(text.prefix(32))' is not a duration")
            }
            self.duration = duration
        } else {
            self.duration = nil
        }
        let reason = data?[TeamsApprovalCard.Input.reason]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines)
        self.reason = reason?.isEmpty == false ? String(reason!.prefix(1000)) : nil
    }
}
