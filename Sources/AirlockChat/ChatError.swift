/// The one error type of AirlockChat: signature and payload problems on the way in, API
/// answers and transport failures on the way out. Messages say what to fix and never carry a
/// token, a signing secret or a signature.
public struct ChatError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A required header (`X-Slack-Signature`, `X-Slack-Request-Timestamp`) is absent.
        case missingHeader
        /// A signature or timestamp header is not in the documented format.
        case malformedSignature
        /// The request timestamp is further from now than the tolerance (5 minutes).
        case staleTimestamp
        /// The signature does not match the body: forged, tampered, or the wrong secret.
        case signatureMismatch
        /// The same signed request was seen before.
        case replayed
        /// The interaction body is not what Slack documents.
        case malformedPayload
        /// The caller passed something unusable (a request without a uid, a bad secret).
        case invalidInput
        /// The API answered with an error: Slack's `{"ok":false,"error":…}` (see
        /// ``ChatError/apiError``), or an HTTP 4xx from a webhook receiver.
        case api
        /// HTTP 429: wait ``ChatError/retryAfterSeconds`` (when given) and retry.
        case rateLimited
        /// HTTP 5xx, a timeout or no connection: retry with backoff.
        case unavailable
        /// The answer is not what the API documents (not JSON, wrong shape, unexpected status).
        case unexpectedAnswer
    }

    public var kind: Kind
    public var message: String
    /// Slack's error code (`channel_not_found`, `not_in_channel`, `invalid_auth`, ...).
    public var apiError: String?
    /// The HTTP status of the answer, when there was one.
    public var httpStatus: Int?
    /// Seconds the server asked us to wait (`Retry-After`).
    public var retryAfterSeconds: Int?

    public init(
        _ kind: Kind, _ message: String, apiError: String? = nil, httpStatus: Int? = nil,
        retryAfterSeconds: Int? = nil
    ) {
        self.kind = kind
        self.message = message
        self.apiError = apiError
        self.httpStatus = httpStatus
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// Slack error codes that a later retry may cure.
    static let retryableAPIErrors: Set<String> = [
        "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout",
    ]

    /// Whether retrying the same call later can succeed (rate limits, outages); the caller
    /// schedules the retry (honouring ``retryAfterSeconds``), the client never sleeps.
    public var isRetryable: Bool {
        switch kind {
        case .rateLimited, .unavailable: true
        case .api: apiError.map(Self.retryableAPIErrors.contains) ?? false
        default: false
        }
    }

    /// Whether the error rejects an incoming request as unauthenticated (answer 401).
    public var isAuthenticationFailure: Bool {
        switch kind {
        case .missingHeader, .malformedSignature, .staleTimestamp, .signatureMismatch, .replayed: true
        default: false
        }
    }

    public var description: String {
        var text = message
        if let apiError, !message.contains(apiError) { text += " (\(apiError))" }
        if let retryAfterSeconds { text += " (retry after \(retryAfterSeconds) s)" }
        return text
    }
}
