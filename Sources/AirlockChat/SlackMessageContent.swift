import KubeCore

/// What a Slack message shows: Block Kit `blocks` and the plain `text` Slack uses for
/// notifications, screen readers and clients that cannot render blocks.
public struct SlackMessageContent: Sendable, Hashable {
    /// Fallback text (also the notification text).
    public var text: String
    /// Block Kit blocks (at most 50).
    public var blocks: [JSONValue]

    public init(text: String, blocks: [JSONValue] = []) {
        self.text = text
        self.blocks = blocks
    }
}
