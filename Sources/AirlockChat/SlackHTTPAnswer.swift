import Foundation
import KubeCore

/// What to answer Slack's HTTP request, and optionally a note to post to the interaction's
/// `response_url` afterwards (Slack ignores the HTTP body of a `block_actions` answer, so
/// notes to the clicking user go there).
public struct SlackHTTPAnswer: Sendable, Hashable {
    /// A note for the clicking user, posted to `response_url` (ephemeral: only they see it).
    public struct FollowUp: Sendable, Hashable {
        public var responseURL: String
        public var text: String

        public init(responseURL: String, text: String) {
            self.responseURL = responseURL
            self.text = text
        }
    }

    public var status: Int
    /// `Content-Type` of ``body`` (nil when empty).
    public var contentType: String?
    public var body: String
    /// Post after answering, with ``SlackClient/respond(to:text:ephemeral:replaceOriginal:)``.
    public var followUp: FollowUp?

    public init(status: Int, contentType: String? = nil, body: String = "", followUp: FollowUp? = nil) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.followUp = followUp
    }

    /// 200 with no body: acknowledged (closes a submitted modal).
    public static let ok = SlackHTTPAnswer(status: 200)

    /// A plain-text error answer (401 bad signature, 400 malformed, ...).
    public static func error(_ status: Int, _ message: String) -> SlackHTTPAnswer {
        SlackHTTPAnswer(status: status, contentType: "text/plain; charset=utf-8", body: message)
    }

    /// 200, and `text` to the clicking user through `responseURL` when there is one.
    public static func note(_ text: String, responseURL: String?) -> SlackHTTPAnswer {
        SlackHTTPAnswer(status: 200, followUp: responseURL.map { FollowUp(responseURL: $0, text: text) })
    }

    /// 200 keeping a modal open with `message` under the input `blockID`.
    public static func modalErrors(_ errors: [String: String]) -> SlackHTTPAnswer {
        let json: JSONValue = [
            "response_action": "errors", "errors": .object(errors.mapValues { .string(SlackText.truncate($0, 150)) }),
        ]
        return SlackHTTPAnswer(status: 200, contentType: "application/json; charset=utf-8", body: json.jsonString)
    }

    /// The answer once the intent's review is persisted: a note to the user for a click, or
    /// a closed modal.
    public static func reviewRecorded(_ intent: ChatReviewIntent) -> SlackHTTPAnswer {
        switch intent.source {
        case .modal: return .ok
        case .button:
            let what =
                switch intent.decision {
                case .approve: "approval" + (intent.duration.map { " for \($0)" } ?? "")
                case .deny: "denial"
                case .revoke: "revocation"
                }
            return .note(
                "Your \(what) of \(intent.request.qualifiedName) was recorded as \(SlackText.escape(intent.username)).",
                responseURL: intent.responseURL)
        }
    }

    /// The answer when the intent changed nothing (`reason` says why: not allowed, already
    /// decided, the requester's own request, ...): a note for a click, an error under the
    /// reason field of a modal.
    public static func reviewRefused(_ intent: ChatReviewIntent, reason: String) -> SlackHTTPAnswer {
        switch intent.source {
        case .modal: return .modalErrors([SlackActionID.denyReasonBlock: reason])
        case .button: return .note(":no_entry: \(SlackText.escape(reason))", responseURL: intent.responseURL)
        }
    }
}
