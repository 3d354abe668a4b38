/// A message to post with `chat.postMessage`.
public struct SlackMessage: Sendable, Hashable {
    /// Channel id (`C0123…`) or name.
    public var channel: String
    public var content: SlackMessageContent
    /// Post as a reply in this message's thread.
    public var threadTS: String?
    /// Invisible metadata to find the message again (see ``SlackClient/findMessage(channel:metadata:oldest:maxPages:)``).
    public var metadata: SlackMessageMetadata?

    public init(
        channel: String, content: SlackMessageContent, threadTS: String? = nil, metadata: SlackMessageMetadata? = nil
    ) {
        self.channel = channel
        self.content = content
        self.threadTS = threadTS
        self.metadata = metadata
    }

    /// A plain-text message (a thread reply).
    public init(channel: String, text: String, threadTS: String? = nil, metadata: SlackMessageMetadata? = nil) {
        self.init(channel: channel, content: SlackMessageContent(text: text), threadTS: threadTS, metadata: metadata)
    }
}
