/// Where a posted message is: channel id and `ts` (Slack's message id). Stored in
/// `status.notifications[].messageRef` as `channel/ts` for later updates and thread replies.
public struct SlackMessageRef: Sendable, Hashable, CustomStringConvertible {
    /// Channel id (`C0123…`), as Slack answers it.
    public var channel: String
    /// The message timestamp (`1700000000.000100`).
    public var ts: String

    public init(channel: String, ts: String) {
        self.channel = channel
        self.ts = ts
    }

    /// Parses `channel/ts` (the form ``description`` writes); nil when malformed.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(channel: String(parts[0]), ts: String(parts[1]))
    }

    /// `channel/ts`.
    public var description: String { "\(channel)/\(ts)" }
}
