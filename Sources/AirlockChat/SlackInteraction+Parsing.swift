import Foundation
import KubeCore

extension SlackInteraction {
    /// Parses Slack's form body (`payload=<JSON>`). Verify the signature over the same bytes
    /// first: this trusts what it reads.
    ///
    /// - Throws: ``ChatError`` (`.malformedPayload`) naming what is missing.
    public init(formBody: some Collection<UInt8>) throws(ChatError) {
        let fields = try FormURLEncoding.decode(formBody)
        guard let payload = fields["payload"] else {
            throw ChatError(.malformedPayload, "the form body has no payload field")
        }
        try self.init(payloadJSON: Data(payload.utf8))
    }

    /// The deepest nesting of arrays and objects accepted in a payload.
    public static let maximumNesting = 64

    /// Parses the `payload` JSON.
    public init(payloadJSON: Data) throws(ChatError) {
        // Slack's payloads nest about 10 levels (message blocks); decoding deep nesting costs
        // more than linear time (see `KubeJSON.nestingDepth(of:)`).
        guard KubeJSON.nestingDepth(of: payloadJSON) <= Self.maximumNesting else {
            throw ChatError(
                .malformedPayload, "the interaction payload nests deeper than \(Self.maximumNesting) levels")
        }
        guard let json = try? KubeJSON.decode(JSONValue.self, from: payloadJSON), json.objectMembers != nil else {
            throw ChatError(.malformedPayload, "the interaction payload is not a JSON object")
        }
        guard let type = json["type"]?.stringValue else {
            throw ChatError(.malformedPayload, "the interaction payload has no type")
        }
        switch type {
        case "block_actions": self = .blockActions(try Self.blockActions(json))
        case "view_submission": self = .viewSubmission(try Self.viewSubmission(json))
        default: self = .other(type: type)
        }
    }

    private static func user(_ json: JSONValue) throws(ChatError) -> SlackUserRef {
        guard let id = json["user"]?["id"]?.stringValue, !id.isEmpty else {
            throw ChatError(.malformedPayload, "the interaction payload has no user.id")
        }
        return SlackUserRef(
            id: id, username: json["user"]?["username"]?.stringValue ?? json["user"]?["name"]?.stringValue,
            teamID: json["user"]?["team_id"]?.stringValue)
    }

    private static func blockActions(_ json: JSONValue) throws(ChatError) -> SlackBlockActions {
        let user = try user(json)
        guard let items = json["actions"]?.arrayItems, !items.isEmpty else {
            throw ChatError(.malformedPayload, "the block_actions payload has no actions")
        }
        var actions: [SlackAction] = []
        for item in items {
            guard let actionID = item["action_id"]?.stringValue else {
                throw ChatError(.malformedPayload, "a block_actions action has no action_id")
            }
            actions.append(
                SlackAction(
                    actionID: actionID, blockID: item["block_id"]?.stringValue, value: item["value"]?.stringValue,
                    selectedOptionValue: item["selected_option"]?["value"]?.stringValue,
                    actionTS: item["action_ts"]?.stringValue))
        }
        return SlackBlockActions(
            user: user, teamID: json["team"]?["id"]?.stringValue ?? user.teamID,
            channelID: json["channel"]?["id"]?.stringValue ?? json["container"]?["channel_id"]?.stringValue,
            messageTS: json["message"]?["ts"]?.stringValue ?? json["container"]?["message_ts"]?.stringValue,
            messageBlocks: json["message"]?["blocks"]?.arrayItems ?? [], actions: actions,
            triggerID: json["trigger_id"]?.stringValue, responseURL: json["response_url"]?.stringValue)
    }

    private static func viewSubmission(_ json: JSONValue) throws(ChatError) -> SlackViewSubmission {
        let user = try user(json)
        guard let view = json["view"], let callbackID = view["callback_id"]?.stringValue else {
            throw ChatError(.malformedPayload, "the view_submission payload has no view.callback_id")
        }
        var values: [String: [String: String]] = [:]
        for (blockID, block) in view["state"]?["values"]?.objectMembers ?? [:] {
            for (actionID, element) in block.objectMembers ?? [:] {
                if let value = element["value"]?.stringValue ?? element["selected_option"]?["value"]?.stringValue {
                    values[blockID, default: [:]][actionID] = value
                }
            }
        }
        return SlackViewSubmission(
            user: user, teamID: json["team"]?["id"]?.stringValue ?? user.teamID, viewID: view["id"]?.stringValue,
            callbackID: callbackID, privateMetadata: view["private_metadata"]?.stringValue ?? "", values: values)
    }
}
