import KubeCore

/// The one error type of KubeClient: API answers, transport failures, undecodable answers and
/// configuration problems. Messages name the file, field or URL at fault and never carry a
/// token or key.
public struct KubernetesError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The API server answered with an error `Status`.
        case api
        /// No usable answer: connection refused, TLS failure, timeout.
        case transport
        /// The answer was not what the API promises (non-JSON, wrong shape).
        case decoding
        /// Bad configuration: kubeconfig, certificates, exec plugin.
        case configuration
    }

    public var kind: Kind
    /// HTTP status code (API errors), e.g. 404, 409, 410.
    public var code: Int?
    /// The Status reason: `NotFound`, `AlreadyExists`, `Conflict`, `Expired`, `Invalid`, ...
    public var reason: String?
    public var message: String
    /// Field-level causes of an `Invalid` answer.
    public var causes: [Status.Cause]
    /// Seconds the server asked us to wait (429).
    public var retryAfterSeconds: Int?

    public init(
        kind: Kind, code: Int? = nil, reason: String? = nil, message: String, causes: [Status.Cause] = [],
        retryAfterSeconds: Int? = nil
    ) {
        self.kind = kind
        self.code = code
        self.reason = reason
        self.message = message
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// An API error from a decoded `Status`.
    public init(status: Status, httpCode: Int? = nil) {
        self.init(
            kind: .api, code: status.code ?? httpCode, reason: status.reason,
            message: status.message ?? "request failed", causes: status.details?.causes ?? [],
            retryAfterSeconds: status.details?.retryAfterSeconds)
    }

    static func configuration(_ message: String) -> Self { .init(kind: .configuration, message: message) }
    static func transport(_ message: String) -> Self { .init(kind: .transport, message: message) }
    static func decoding(_ message: String) -> Self { .init(kind: .decoding, message: message) }

    public var isNotFound: Bool { kind == .api && (code == 404 || reason == "NotFound") }
    public var isAlreadyExists: Bool { kind == .api && reason == "AlreadyExists" }
    /// A stale resourceVersion (409 Conflict), not an AlreadyExists 409.
    public var isConflict: Bool { kind == .api && (reason == "Conflict" || (code == 409 && reason == nil)) }
    /// The resource version is too old (410 Gone / Expired): re-list.
    public var isGone: Bool { kind == .api && (code == 410 || reason == "Expired" || reason == "Gone") }
    public var isForbidden: Bool { kind == .api && (code == 403 || reason == "Forbidden") }
    public var isUnauthorized: Bool { kind == .api && (code == 401 || reason == "Unauthorized") }
    public var isInvalid: Bool { kind == .api && (code == 422 || reason == "Invalid") }
    public var isTooManyRequests: Bool { kind == .api && (code == 429 || reason == "TooManyRequests") }

    public var description: String {
        var text: String
        switch kind {
        case .api: text = "Kubernetes API error \(code.map(String.init) ?? "?") \(reason ?? "")".trimmingSuffixSpace
        case .transport: text = "Kubernetes transport error"
        case .decoding: text = "Kubernetes answer not understood"
        case .configuration: text = "Kubernetes client configuration error"
        }
        text += ": \(message)"
        if !causes.isEmpty {
            text +=
                " (" + causes.map { "\($0.field ?? "?"): \($0.message ?? $0.reason ?? "")" }.joined(separator: "; ")
                + ")"
        }
        return text
    }
}

extension String {
    fileprivate var trimmingSuffixSpace: String {
        var copy = self
        while copy.hasSuffix(" ") { copy.removeLast() }
        return copy
    }
}
