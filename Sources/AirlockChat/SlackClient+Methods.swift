import Foundation
import KubeCore

extension SlackClient {
    /// `chat.postMessage`: posts `message` (in a thread with `threadTS`).
    ///
    /// - Returns: where the message is (channel id and `ts`).
    public func postMessage(_ message: SlackMessage) async throws(ChatError) -> SlackMessageRef {
        var body: [String: JSONValue] = [
            "channel": .string(message.channel), "text": .string(message.content.text),
            "unfurl_links": false, "unfurl_media": false,
        ]
        if !message.content.blocks.isEmpty { body["blocks"] = .array(message.content.blocks) }
        if let thread = message.threadTS { body["thread_ts"] = .string(thread) }
        if let metadata = message.metadata { body["metadata"] = metadata.json }
        let answer = try await call("chat.postMessage", json: .object(body))
        return try Self.messageRef(answer, method: "chat.postMessage", fallbackChannel: message.channel)
    }

    /// `chat.update`: replaces the text and blocks of a posted message (an empty `blocks`
    /// removes them).
    public func update(
        _ message: SlackMessageRef, content: SlackMessageContent, metadata: SlackMessageMetadata? = nil
    ) async throws(ChatError) -> SlackMessageRef {
        var body: [String: JSONValue] = [
            "channel": .string(message.channel), "ts": .string(message.ts), "text": .string(content.text),
            "blocks": .array(content.blocks),
        ]
        if let metadata { body["metadata"] = metadata.json }
        let answer = try await call("chat.update", json: .object(body))
        return try Self.messageRef(answer, method: "chat.update", fallbackChannel: message.channel)
    }

    /// `views.open`: opens a modal for a `trigger_id` (valid for 3 seconds, once).
    ///
    /// - Returns: the view id.
    @discardableResult
    public func openView(triggerID: String, view: JSONValue) async throws(ChatError) -> String? {
        let answer = try await call("views.open", json: ["trigger_id": .string(triggerID), "view": view])
        return answer["view"]?["id"]?.stringValue
    }

    /// `users.info`: a user's handle, email (scope `users:read.email`), and whether it is a
    /// bot, a guest or deleted.
    public func userInfo(id: String) async throws(ChatError) -> SlackUser {
        let answer = try await get("users.info", query: [("user", id)])
        guard let json = answer["user"], let user = SlackUser(json: json) else {
            throw ChatError(.unexpectedAnswer, "Slack users.info answered without a user")
        }
        return user
    }

    /// `conversations.history` with `include_all_metadata`: one page, newest first.
    ///
    /// - Parameters:
    ///   - oldest: only messages after this moment.
    ///   - cursor: ``SlackHistoryPage/nextCursor`` of the previous page.
    public func history(
        channel: String, oldest: Date? = nil, cursor: String? = nil, limit: Int = 200
    ) async throws(ChatError) -> SlackHistoryPage {
        var query = [
            ("channel", channel), ("include_all_metadata", "true"), ("limit", String(min(max(limit, 1), 999))),
        ]
        if let oldest { query.append(("oldest", Self.slackTimestamp(oldest))) }
        if let cursor { query.append(("cursor", cursor)) }
        return SlackHistoryPage(json: try await get("conversations.history", query: query))
    }

    /// Finds a message carrying `metadata` (same event type, and every payload member equal)
    /// in `channel`, newest first, reading at most `maxPages` pages of history after `oldest`.
    ///
    /// This is how delivery stays exactly-once across a crash: before posting a card again for
    /// a notification that was attempted but not recorded as delivered, look for it here.
    ///
    /// - Returns: the message, or nil when it was never posted (post it then).
    public func findMessage(
        channel: String, metadata: SlackMessageMetadata, oldest: Date? = nil, maxPages: Int = 5
    ) async throws(ChatError) -> SlackMessageRef? {
        var cursor: String? = nil
        for _ in 0..<max(1, maxPages) {
            let page = try await history(channel: channel, oldest: oldest, cursor: cursor)
            if let found = page.messages.first(where: { Self.matches($0.metadata, metadata) }) {
                return SlackMessageRef(channel: channel, ts: found.ts)
            }
            guard let next = page.nextCursor else { return nil }
            cursor = next
        }
        return nil
    }

    /// Finds a reply carrying `metadata` in the thread under `parent`, reading at most
    /// `maxPages` pages of `conversations.replies`: a thread reply whose post was not recorded
    /// is looked up here before it is posted again.
    ///
    /// - Returns: the reply, or nil when it was never posted.
    public func findReply(
        in parent: SlackMessageRef, metadata: SlackMessageMetadata, maxPages: Int = 5
    ) async throws(ChatError) -> SlackMessageRef? {
        var cursor: String? = nil
        for _ in 0..<max(1, maxPages) {
            var query = [
                ("channel", parent.channel), ("ts", parent.ts), ("include_all_metadata", "true"), ("limit", "200"),
            ]
            if let cursor { query.append(("cursor", cursor)) }
            let page = SlackHistoryPage(json: try await get("conversations.replies", query: query))
            if let found = page.messages.first(where: { $0.ts != parent.ts && Self.matches($0.metadata, metadata) }) {
                return SlackMessageRef(channel: parent.channel, ts: found.ts)
            }
            guard let next = page.nextCursor else { return nil }
            cursor = next
        }
        return nil
    }

    /// Answers an interaction through its `response_url` (valid 5 times within 30 minutes):
    /// an ephemeral note to the clicking user by default, or an in-channel reply.
    public func respond(
        to responseURL: String, text: String, ephemeral: Bool = true, replaceOriginal: Bool = false
    ) async throws(ChatError) {
        try await postResponse(
            responseURL,
            json: [
                "text": .string(SlackText.truncate(text, SlackText.Limit.messageText)),
                "response_type": .string(ephemeral ? "ephemeral" : "in_channel"),
                "replace_original": .bool(replaceOriginal),
            ])
    }

    // MARK: Helpers

    private static func messageRef(
        _ answer: JSONValue, method: String, fallbackChannel: String
    ) throws(ChatError) -> SlackMessageRef {
        guard let ts = answer["ts"]?.stringValue else {
            throw ChatError(.unexpectedAnswer, "Slack \(method) answered ok without a ts")
        }
        return SlackMessageRef(channel: answer["channel"]?.stringValue ?? fallbackChannel, ts: ts)
    }

    private static func matches(_ found: SlackMessageMetadata?, _ wanted: SlackMessageMetadata) -> Bool {
        guard let found, found.eventType == wanted.eventType else { return false }
        return wanted.eventPayload.allSatisfy { found.eventPayload[$0.key] == $0.value }
    }

    /// Seconds with six decimals, as Slack writes `ts`.
    static func slackTimestamp(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
