/// Where an ActionRequest is in its life (`status.phase`).
public enum ActionRequestPhase: String, Codable, Sendable, Hashable, CaseIterable {
    /// Evaluated or waiting for reviews; nothing is granted yet.
    case pending = "Pending"
    /// The grants exist until `status.expiresAt`.
    case granted = "Granted"
    /// A policy, a guardrail or a reviewer said no.
    case denied = "Denied"
    /// The grant ran out (or nobody reviewed before `status.pendingDeadline`); grants are gone.
    case expired = "Expired"
    /// Ended early by a reviewer or the requester; grants are gone.
    case revoked = "Revoked"
    /// Granting failed in a way retrying will not fix.
    case failed = "Failed"

    /// Whether the request is finished: nothing will be granted any more.
    public var isTerminal: Bool {
        switch self {
        case .pending, .granted: false
        case .denied, .expired, .revoked, .failed: true
        }
    }
}
