/// The exit codes of the `airlock` CLI: distinct per outcome, so a script or an agent can
/// branch on `$?` alone (the printed reason says more).
public enum AirlockExitCode: Int32, CaseIterable, Sendable, Codable {
    /// Done: the request was created, granted, the review counted, ...
    case ok = 0
    /// Anything else that went wrong (a file that cannot be written, an unexpected answer).
    case failure = 1
    /// Bad command line or input (an `--allow` string, a duration): nothing was created.
    case usage = 2
    /// The request was denied (a guardrail, a policy, a reviewer, an untrusted identity).
    case denied = 3
    /// The request expired: nobody decided before its pending deadline, or the grant ran out.
    case expired = 4
    /// Granting failed and will not be retried (phase Failed), or the request was deleted.
    case failed = 5
    /// The request was revoked (released or withdrawn by the requester, or by a reviewer).
    case revoked = 6
    /// Still undecided when `--timeout` ran out (the request goes on; wait again or revoke it).
    case timedOut = 7
    /// The Kubernetes API refused or could not be reached: not authenticated, forbidden,
    /// not found, refused by admission, unreachable; or the kubeconfig is unusable.
    case apiError = 8
    /// The review was created but did not count (self-approval, not allowed by policy, ...).
    case reviewNotCounted = 9

    /// A short name for scripts and JSON (`granted` is `ok` for a request).
    public var name: String {
        switch self {
        case .ok: "ok"
        case .failure: "failure"
        case .usage: "usage"
        case .denied: "denied"
        case .expired: "expired"
        case .failed: "failed"
        case .revoked: "revoked"
        case .timedOut: "timed-out"
        case .apiError: "api-error"
        case .reviewNotCounted: "review-not-counted"
        }
    }

    /// The code for a request that ended (or is granted) in `phase`.
    public static func forPhase(_ phase: String) -> AirlockExitCode {
        switch phase {
        case "Granted": .ok
        case "Denied": .denied
        case "Expired": .expired
        case "Revoked": .revoked
        case "Failed": .failed
        default: .timedOut
        }
    }
}
