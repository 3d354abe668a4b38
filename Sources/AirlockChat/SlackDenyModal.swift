import Foundation
import KubeCore

/// The modal the **Deny** button opens (`views.open`): a required multi-line reason of at
/// most ``maxReasonLength`` characters. Its `private_metadata` carries the request reference
/// and the card's location, so the `view_submission` is self-contained.
public struct SlackDenyModal: Sendable, Hashable {
    /// Longest reason accepted (Slack's `plain_text_input` maximum).
    public static let maxReasonLength = 3000

    /// The request being denied.
    public var request: ChatRequestReference
    /// The card the Deny button was on, if known.
    public var message: SlackMessageRef?

    public init(request: ChatRequestReference, message: SlackMessageRef? = nil) {
        self.request = request
        self.message = message
    }

    /// The view for `views.open`.
    public var view: JSONValue {
        [
            "type": "modal",
            "callback_id": .string(SlackActionID.denyModalCallback),
            "private_metadata": .string(privateMetadata),
            "title": SlackBlocks.plainText("Deny access request", limit: SlackText.Limit.modalTitle),
            "submit": SlackBlocks.plainText("Deny", limit: SlackText.Limit.modalTitle),
            "close": SlackBlocks.plainText("Cancel", limit: SlackText.Limit.modalTitle),
            "blocks": [
                SlackBlocks.section(
                    "Deny *\(SlackText.escape(request.qualifiedName))*? The reason is recorded in the request's "
                        + "status and shown to the requester.",
                    blockID: "airlock_deny_intro"),
                [
                    "type": "input",
                    "block_id": .string(SlackActionID.denyReasonBlock),
                    "label": SlackBlocks.plainText("Reason", limit: 2000),
                    "element": [
                        "type": "plain_text_input",
                        "action_id": .string(SlackActionID.denyReasonAction),
                        "multiline": true,
                        "min_length": 1,
                        "max_length": .number(Double(Self.maxReasonLength)),
                        "placeholder": SlackBlocks.plainText(
                            "Why not? What should the requester do instead?", limit: SlackText.Limit.placeholder),
                    ],
                ],
            ],
        ]
    }

    /// The `private_metadata`: `{"request":"ns/name/uid","channel":…,"ts":…}` (well under 3000).
    public var privateMetadata: String {
        var members: [String: JSONValue] = ["request": .string(request.description)]
        if let message {
            members["channel"] = .string(message.channel)
            members["ts"] = .string(message.ts)
        }
        return JSONValue.object(members).jsonString
    }

    /// Reads back a modal's `private_metadata`.
    ///
    /// - Throws: ``ChatError`` (`.malformedPayload`) when it is not what ``privateMetadata`` wrote.
    public init(privateMetadata text: String) throws(ChatError) {
        guard text.utf8.count <= SlackText.Limit.privateMetadata,
            let json = try? KubeJSON.decode(JSONValue.self, from: Data(text.utf8)),
            let reference = json["request"]?.stringValue
        else {
            throw ChatError(.malformedPayload, "the deny modal's private_metadata is not Airlock's")
        }
        let request = try ChatRequestReference(parsing: reference)
        var message: SlackMessageRef? = nil
        if let channel = json["channel"]?.stringValue, let ts = json["ts"]?.stringValue {
            message = SlackMessageRef(channel: channel, ts: ts)
        }
        self.init(request: request, message: message)
    }
}
