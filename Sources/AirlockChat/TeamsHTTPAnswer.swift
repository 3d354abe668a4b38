import Foundation
import KubeCore

/// The HTTP answer to one activity POSTed to `/teams/messages`.
public struct TeamsHTTPAnswer: Sendable, Hashable {
    public var status: Int
    public var contentType: String?
    public var body: String

    public init(status: Int, contentType: String? = nil, body: String = "") {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// 200 with no body: the activity needs no answer (not a card action).
    public static let ok = TeamsHTTPAnswer(status: 200)

    /// A refusal before anything was read or changed (401, 403, 413...).
    public static func refused(_ status: Int, _ message: String) -> TeamsHTTPAnswer {
        TeamsHTTPAnswer(status: status, contentType: "text/plain; charset=utf-8", body: message)
    }

    /// The invoke response showing `card` to the user who clicked (HTTP 200, `statusCode` 200).
    public static func card(_ card: JSONValue) -> TeamsHTTPAnswer {
        invoke(["statusCode": 200, "type": .string(AdaptiveCard.contentType), "value": card])
    }

    /// The invoke response of a bad invoke (`statusCode` 400, `application/vnd.microsoft.error`).
    public static func badRequest(_ message: String) -> TeamsHTTPAnswer {
        invoke([
            "statusCode": 400, "type": "application/vnd.microsoft.error",
            "value": ["code": "BadRequest", "message": .string(message)],
        ])
    }

    private static func invoke(_ value: JSONValue) -> TeamsHTTPAnswer {
        TeamsHTTPAnswer(status: 200, contentType: "application/json; charset=utf-8", body: value.jsonString)
    }
}
