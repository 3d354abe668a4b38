import KubeClient

/// Why a grant could not be made, and whether trying again can help.
///
/// - **transient**: the API server was unavailable or answered 5xx or 429, a connection broke,
///   an object vanished between create and read, no token was issued yet. The reconcile is
///   retried with backoff; the request stays Pending (with `Granted=False`, reason
///   `GrantRetrying`).
/// - **terminal**: the API server refused an object (invalid, an RBAC escalation), or an object
///   of the same name belongs to someone else. The request ends Failed with the reason, and
///   whatever was made is removed.
/// - **forbidden** (``mayPass``): any other 403. Right after the API server restarts its RBAC
///   authorizer forbids everything until its caches fill, so a 403 is retried like a transient
///   failure for 60 s (`Draft.forbiddenGrace`) before it ends the request.
public struct GrantError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var isTransient: Bool
    /// A refusal that may pass (a 403 not about escalation): retried for a while, then terminal.
    public var mayPass: Bool

    public init(_ message: String, transient: Bool, mayPass: Bool = false) {
        self.message = message
        self.isTransient = transient
        self.mayPass = !transient && mayPass
    }

    public static func transient(_ message: String) -> GrantError { GrantError(message, transient: true) }
    public static func terminal(_ message: String) -> GrantError { GrantError(message, transient: false) }
    public static func forbidden(_ message: String) -> GrantError {
        GrantError(message, transient: false, mayPass: true)
    }

    public var description: String { message }

    /// The grant error for an API error met while granting: refusals are terminal (a 403 not
    /// about escalation may pass), the rest transient.
    public init(_ error: KubernetesError, while doing: String) {
        let terminal = error.kind == .api && (error.isForbidden || error.isInvalid || error.code == 400)
        let escalation = error.message.contains("attempting to grant RBAC permissions not currently held")
        self.init(
            "\(doing): \(terminal ? "the API server refused it" : "the API server failed"): \(error.message)",
            transient: !terminal, mayPass: error.kind == .api && error.isForbidden && !escalation)
    }
}
