import KubeCore

/// Slack message metadata (`metadata: {event_type, event_payload}`): invisible to people,
/// returned by `conversations.history` with `include_all_metadata`, so a message can be
/// found again after a crash between posting it and recording its `ts`.
public struct SlackMessageMetadata: Sendable, Hashable {
    /// Event type of Airlock's approval cards.
    public static let approvalCardEventType = "airlock_approval_card"

    /// Alphanumeric with underscores (`airlock_approval_card`).
    public var eventType: String
    /// Flat string values keep lookups simple (`{"uid": "…"}`).
    public var eventPayload: [String: JSONValue]

    public init(eventType: String, eventPayload: [String: JSONValue]) {
        self.eventType = eventType
        self.eventPayload = eventPayload
    }

    /// The metadata of the approval card of `request`.
    public init(approvalCardFor request: ChatRequestReference) {
        self.init(
            eventType: Self.approvalCardEventType,
            eventPayload: [
                "namespace": .string(request.namespace), "name": .string(request.name), "uid": .string(request.uid),
            ])
    }

    /// Event type of the thread replies under a card.
    public static let threadReplyEventType = "airlock_thread_reply"

    /// The metadata of the thread reply `reply` (`Granted`, `Ended`, ...) about `request`.
    public init(threadReply reply: String, for request: ChatRequestReference) {
        self.init(
            eventType: Self.threadReplyEventType,
            eventPayload: ["uid": .string(request.uid), "reply": .string(reply)])
    }

    /// The JSON Slack expects.
    public var json: JSONValue {
        ["event_type": .string(eventType), "event_payload": .object(eventPayload)]
    }

    /// Reads Slack's `metadata` object; nil when it is not one.
    public init?(json: JSONValue?) {
        guard let json, let type = json["event_type"]?.stringValue else { return nil }
        guard case .object(let payload)? = json["event_payload"] else {
            self.init(eventType: type, eventPayload: [:])
            return
        }
        self.init(eventType: type, eventPayload: payload)
    }
}
