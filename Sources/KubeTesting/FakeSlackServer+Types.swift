import Foundation
import KubeCore

extension FakeSlackServer {
    /// One Web API call the fake received, as the test inspects it.
    public struct Call: Sendable, Hashable {
        /// `chat.postMessage`, `chat.update`, `views.open`, `users.info`, `conversations.history`, ...
        public var method: String
        /// Every parameter, from the JSON body, the form body or the query.
        public var parameters: [String: JSONValue]
        /// The `channel` parameter.
        public var channel: String?
        /// The `text` parameter.
        public var text: String?
        /// The `blocks` parameter.
        public var blocks: [JSONValue]?
        /// The `thread_ts` parameter.
        public var threadTS: String?
        /// The `metadata` parameter (`{event_type, event_payload}`).
        public var metadata: JSONValue?
        /// The `ts` answered (postMessage) or given (update).
        public var ts: String?
        /// HTTP status answered.
        public var status: Int
        /// The Slack error answered (`ok:false`), or `http_<status>` for an injected HTTP fault.
        public var error: String?
        /// Whether an injected fault answered it.
        public var faulted: Bool

        /// Whether Slack would have done what was asked.
        public var succeeded: Bool { error == nil && status == 200 }

        /// The blocks as compact JSON with sorted keys.
        public var blocksJSON: String? {
            blocks.map { String(decoding: (try? KubeJSON.encode($0)) ?? Data(), as: UTF8.self) }
        }
    }

    /// A message as the fake holds it (the latest version after updates).
    public struct Message: Sendable, Hashable {
        public var channel: String
        public var ts: String
        public var text: String
        public var blocks: [JSONValue]
        public var threadTS: String?
        public var metadata: JSONValue?
        /// How many times `chat.update` changed it.
        public var updates: Int
    }

    /// A user `users.info` knows.
    public struct User: Sendable, Hashable {
        public var id: String
        public var name: String
        public var email: String?
        public var isBot: Bool
        public var isDeleted: Bool
        /// A guest (`is_restricted`).
        public var isGuest: Bool

        public init(
            id: String, name: String, email: String? = nil, isBot: Bool = false, isDeleted: Bool = false,
            isGuest: Bool = false
        ) {
            self.id = id
            self.name = name
            self.email = email
            self.isBot = isBot
            self.isDeleted = isDeleted
            self.isGuest = isGuest
        }
    }

    /// An injected failure.
    public enum Fault: Sendable, Hashable {
        /// An HTTP error status (500, 502, 503, ...) with a non-JSON body.
        case serverError(status: Int = 500)
        /// HTTP 429 with `Retry-After: seconds` and `{"ok":false,"error":"ratelimited"}`.
        case rateLimited(retryAfter: Int)
        /// HTTP 200 with `{"ok":false,"error":code}` (`channel_not_found`, `not_in_channel`, ...).
        case slackError(String)
    }

    /// A modal opened with `views.open`.
    public struct OpenedView: Sendable, Hashable {
        /// The fake's view id (`V…`).
        public var id: String
        public var triggerID: String
        public var view: JSONValue
    }

    /// A POST to an interaction's `response_url`.
    public struct ResponsePost: Sendable, Hashable {
        /// The response URL's id (its last path component).
        public var id: String
        public var body: JSONValue
    }

    /// A signed interaction request, ready to POST (or to replay, or to tamper with).
    public struct SignedInteraction: Sendable, Hashable {
        /// The form body: `payload=<url-encoded JSON>`.
        public var body: String
        /// `Content-Type`, `X-Slack-Request-Timestamp`, `X-Slack-Signature`.
        public var headers: [String: String]
        /// The payload JSON.
        public var payload: JSONValue
    }
}
