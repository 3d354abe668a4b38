import KubeClient

/// Why a grant could not be made, and whether trying again can help.
///
/// - **transient**: the API server was unavailable or answered 5xx or 429, a connection broke,
///   an object vanished between create and read, no token was issued yet. The reconcile is
///   retried with backoff; the request stays Pending (with `Granted=False`, reason
///   `GrantRetrying`).
/// - **terminal**: the API server refused an object (forbidden, invalid), or an object of the
///   same name belongs to someone else. The request ends Failed with the reason, and whatever
///   was made is removed.
public struct GrantError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var isTransient: Bool

    public init(_ message: String, transient: Bool) {
        self.message = message
        self.isTransient = transient
    }

    public static func transient(_ message: String) -> GrantError { GrantError(message, transient: true) }
    public static func terminal(_ message: String) -> GrantError { GrantError(message, transient: false) }

    public var description: String { message }

    /// The grant error for an API error met while granting: refusals are terminal, the rest
    /// transient.
    public init(_ error: KubernetesError, while doing: String) {
        let terminal = error.kind == .api && (error.isForbidden || error.isInvalid || error.code == 400)
        self.init(
            "\(doing): \(terminal ? "the API server refused it" : "the API server failed"): \(error.message)",
            transient: !terminal)
    }
}
