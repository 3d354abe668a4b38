import KubeCore

/// One page of `conversations.history`, newest message first.
public struct SlackHistoryPage: Sendable, Hashable {
    /// A message of the page.
    public struct Message: Sendable, Hashable {
        public var ts: String
        public var text: String?
        public var threadTS: String?
        /// Present when asked with `include_all_metadata`.
        public var metadata: SlackMessageMetadata?

        public init(ts: String, text: String? = nil, threadTS: String? = nil, metadata: SlackMessageMetadata? = nil) {
            self.ts = ts
            self.text = text
            self.threadTS = threadTS
            self.metadata = metadata
        }
    }

    public var messages: [Message]
    /// Pass as `cursor` for the next (older) page; nil on the last page.
    public var nextCursor: String?

    public init(messages: [Message], nextCursor: String?) {
        self.messages = messages
        self.nextCursor = nextCursor
    }

    init(json: JSONValue) {
        let messages = (json["messages"]?.arrayItems ?? []).compactMap { item -> Message? in
            guard let ts = item["ts"]?.stringValue else { return nil }
            return Message(
                ts: ts, text: item["text"]?.stringValue, threadTS: item["thread_ts"]?.stringValue,
                metadata: SlackMessageMetadata(json: item["metadata"]))
        }
        let cursor = json["response_metadata"]?["next_cursor"]?.stringValue
        let hasMore = json["has_more"]?.boolValue ?? (cursor?.isEmpty == false)
        self.init(messages: messages, nextCursor: hasMore && cursor?.isEmpty == false ? cursor : nil)
    }
}
