import AsyncHTTPClient
import Foundation
import KubeCore
import Logging
import NIOCore
import NIOFoundationCompat

/// Slack's Web API over AsyncHTTPClient: `chat.postMessage`, `chat.update`, `views.open`,
/// `users.info`, `conversations.history`, and answers to an interaction's `response_url`.
///
/// Failures are ``ChatError``s the caller can branch on: `.api` with Slack's error code
/// (``ChatError/apiError``) for `{"ok":false}`; `.rateLimited` with `Retry-After` seconds for
/// HTTP 429; `.unavailable` for 5xx, timeouts and connection failures (retryable). The client
/// never sleeps or retries by itself: the caller schedules retries (delivery state lives in
/// `status.notifications`). The bot token is sent only to ``baseURL`` and never appears in
/// errors or logs.
public struct SlackClient: Sendable {
    /// Slack's API root.
    public static let defaultBaseURL = "https://slack.com/api"
    /// Where Slack's `response_url`s point.
    public static let defaultResponseURLPrefixes = ["https://hooks.slack.com/"]

    /// API root, without a trailing slash (a local fake in tests).
    public let baseURL: String
    private let token: ChatSecret
    private let httpClient: HTTPClient
    private let timeout: TimeAmount
    private let responseURLPrefixes: [String]
    private let logger: Logger

    /// - Parameters:
    ///   - token: the bot token (`xoxb-…`), from a mounted Secret.
    ///   - baseURL: API root; configurable so tests can point at a local fake.
    ///   - responseURLPrefixes: `response_url`s must start with one of these (they come from
    ///     payloads; this keeps the client from posting to arbitrary hosts).
    ///   - timeout: per call.
    public init(
        token: ChatSecret, baseURL: String = Self.defaultBaseURL, httpClient: HTTPClient = .shared,
        timeout: TimeAmount = .seconds(10), responseURLPrefixes: [String] = Self.defaultResponseURLPrefixes,
        logger: Logger = Logger(label: "airlock.slack")
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.token = token
        self.httpClient = httpClient
        self.timeout = timeout
        self.responseURLPrefixes = responseURLPrefixes
        self.logger = logger
    }

    // MARK: Transport

    /// POSTs a JSON body to `method`; returns the answer's JSON when `ok` is true.
    func call(_ method: String, json: JSONValue) async throws(ChatError) -> JSONValue {
        var request = HTTPClientRequest(url: "\(baseURL)/\(method)")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token.text)")
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.body = .bytes(ByteBuffer(data: json.jsonData))
        return try await execute(request, method: method)
    }

    /// GETs `method` with query parameters; returns the answer's JSON when `ok` is true.
    func get(_ method: String, query: [(String, String)]) async throws(ChatError) -> JSONValue {
        let encoded = query.map { "\(FormURLEncoding.escape($0.0))=\(FormURLEncoding.escape($0.1))" }
        var request = HTTPClientRequest(url: "\(baseURL)/\(method)?" + encoded.joined(separator: "&"))
        request.method = .GET
        request.headers.add(name: "Authorization", value: "Bearer \(token.text)")
        return try await execute(request, method: method)
    }

    /// POSTs a message to an interaction's `response_url` (no token: the URL is the credential).
    func postResponse(_ url: String, json: JSONValue) async throws(ChatError) {
        guard responseURLPrefixes.contains(where: { url.hasPrefix($0) }) else {
            throw ChatError(
                .invalidInput,
                "the response_url does not start with an allowed prefix (\(responseURLPrefixes.joined(separator: ", ")))"
            )
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.body = .bytes(ByteBuffer(data: json.jsonData))
        let (status, retryAfter, body) = try await send(request, method: "response_url")
        if (200..<300).contains(status) { return }
        try Self.check(status: status, retryAfter: retryAfter, method: "response_url")
        if let code = (try? KubeJSON.decode(JSONValue.self, from: body))?["error"]?.stringValue {
            throw ChatError(
                .api, "Slack response_url failed: \(code): it works 5 times within 30 minutes; use chat.update after",
                apiError: code, httpStatus: status)
        }
        throw ChatError(.unexpectedAnswer, "Slack response_url answered HTTP \(status)", httpStatus: status)
    }

    private func execute(_ request: HTTPClientRequest, method: String) async throws(ChatError) -> JSONValue {
        let (status, retryAfter, body) = try await send(request, method: method)
        try Self.check(status: status, retryAfter: retryAfter, method: method)
        guard let json = try? KubeJSON.decode(JSONValue.self, from: body), let ok = json["ok"]?.boolValue else {
            throw ChatError(
                .unexpectedAnswer, "Slack \(method) answered HTTP \(status) without Slack's JSON: check the base URL",
                httpStatus: status)
        }
        guard ok else {
            let code = json["error"]?.stringValue ?? "unknown_error"
            var error = ChatError(
                .api, "Slack \(method) failed: \(code): \(Self.hint(for: code, answer: json))", apiError: code,
                httpStatus: status)
            if code == "ratelimited" { error.retryAfterSeconds = retryAfter }
            logger.warning(
                "Slack call failed", metadata: ["method": "\(method)", "error": "\(code)", "status": "\(status)"])
            throw error
        }
        guard (200..<300).contains(status) else {
            throw ChatError(.unexpectedAnswer, "Slack \(method) answered HTTP \(status)", httpStatus: status)
        }
        return json
    }

    /// Turns 429 and 5xx into their errors; a JSON `{"ok":false}` is left to the caller.
    private static func check(status: Int, retryAfter: Int?, method: String) throws(ChatError) {
        if status == 429 {
            throw ChatError(
                .rateLimited, "Slack \(method) is rate limited (HTTP 429)", httpStatus: status,
                retryAfterSeconds: retryAfter)
        }
        if status >= 500 || status == 408 {
            throw ChatError(.unavailable, "Slack \(method) answered HTTP \(status): retry later", httpStatus: status)
        }
    }

    private func send(
        _ request: HTTPClientRequest, method: String
    ) async throws(ChatError) -> (status: Int, retryAfter: Int?, body: Data) {
        let started = ContinuousClock.now
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 8 << 20)
            let status = Int(response.status.code)
            logger.debug(
                "Slack call",
                metadata: ["method": "\(method)", "status": "\(status)", "took": "\(started.duration(to: .now))"])
            return (status, Self.retryAfter(response.headers.first(name: "Retry-After")), Data(buffer: body))
        } catch {
            logger.warning("Slack unreachable", metadata: ["method": "\(method)", "error": "\(error)"])
            throw ChatError(.unavailable, "Slack \(method) is unreachable: \(error)")
        }
    }

    /// A `Retry-After` value in seconds (Slack sends whole seconds; an HTTP date is ignored).
    static func retryAfter(_ value: String?) -> Int? {
        value.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { max(0, $0) }
    }

    /// What to do about a Slack error code.
    static func hint(for code: String, answer: JSONValue) -> String {
        switch code {
        case "not_authed", "invalid_auth", "token_revoked", "token_expired", "account_inactive":
            return "the bot token is missing, wrong or revoked: update the Secret holding it"
        case "missing_scope":
            let needed = answer["needed"]?.stringValue ?? "the scope Slack names"
            return "add the bot scope \(needed) to the Slack app and reinstall it"
        case "channel_not_found":
            return "check the policy's notify.slackChannel (prefer the channel id) and that the app can see the channel"
        case "not_in_channel", "is_archived":
            return "invite the app to the channel (/invite @airlock), or pick a channel that is not archived"
        case "message_not_found", "cant_update_message", "edit_window_closed":
            return "the message is gone or not the app's: post a new one"
        case "expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id":
            return "the click is older than 3 seconds or was used already: click again"
        case "user_not_found", "users_not_found":
            return "no such Slack user"
        case "invalid_blocks", "invalid_blocks_format":
            let messages = answer["response_metadata"]?["messages"]?.arrayItems?.compactMap(\.stringValue) ?? []
            return "Block Kit rejected the message" + (messages.isEmpty ? "" : ": " + messages.joined(separator: "; "))
        case "ratelimited":
            return "rate limited: retry later"
        default:
            return "see https://api.slack.com/methods for this error"
        }
    }
}
