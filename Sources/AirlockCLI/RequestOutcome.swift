import AirlockAPI
import Foundation
import KubeCore

/// How following a request ended: the machine-readable result of `airlock request --wait`,
/// `airlock wait` and the MCP tool `wait_for_decision`.
public struct RequestOutcome: Codable, Sendable, Equatable {
    public var name: String
    public var namespace: String
    /// `Granted`, `Denied`, `Expired`, `Revoked`, `Failed`, or `Pending` when the wait timed out.
    public var phase: String
    /// Stable CamelCase reason to branch on: `AccessGranted`, a deny code or `DeniedByReviewer`,
    /// `NotReviewed`, `DurationElapsed`, `Released`, `Withdrawn`, `RevokedByReview`, `GrantFailed`,
    /// `Deleted`, or `TimedOut`.
    public var reason: String
    /// For people: what happened and why, with the reviewers' comments.
    public var message: String
    /// The CLI's exit code for this outcome (``AirlockExitCode``).
    public var exitCode: Int32
    /// Whether access is in force now.
    public var granted: Bool
    public var expiresAt: Date?
    /// The Secret holding the credential (credential Ephemeral, once granted).
    public var credentialSecretName: String?
    /// Where the CLI wrote the credential's kubeconfig (`--kubeconfig-out`).
    public var kubeconfigPath: String?
    /// The counted reviews that decided it: `reviewer decision: comment`.
    public var reviews: [String]?

    public init(
        name: String, namespace: String, phase: String, reason: String, message: String,
        exitCode: AirlockExitCode, expiresAt: Date? = nil, credentialSecretName: String? = nil,
        reviews: [String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.phase = phase
        self.reason = reason
        self.message = message
        self.exitCode = exitCode.rawValue
        self.granted = exitCode == .ok && phase == ActionRequestPhase.granted.rawValue
        self.expiresAt = expiresAt
        self.credentialSecretName = credentialSecretName
        self.reviews = reviews
    }

    /// The outcome of a request that is Granted or finished; nil while it is Pending (or new).
    public static func of(_ request: ActionRequest) -> RequestOutcome? {
        guard let phase = request.status?.phase, phase != .pending else { return nil }
        let status = request.status
        let conditions = status?.conditions ?? []
        // The condition that says why, as `Decided` points to it.
        let why: Condition? =
            switch phase {
            case .granted, .failed: conditions[type: AirlockConstants.ConditionType.granted]
            case .denied: conditions[type: AirlockConstants.ConditionType.denied]
            case .expired: conditions[type: AirlockConstants.ConditionType.expired]
            case .revoked: conditions[type: AirlockConstants.ConditionType.revoked]
            case .pending: nil
            }
        let reason = why?.reason ?? status?.decision?.reason ?? phase.rawValue
        var message = why?.message ?? conditions[type: AirlockConstants.ConditionType.decided]?.message ?? ""
        if message.isEmpty { message = status?.decision?.message ?? phase.rawValue }
        let deciding = (status?.reviews ?? []).filter { review in
            review.counted
                && (phase == .denied && review.decision == .deny || phase == .revoked && review.decision == .revoke)
        }
        let comments = deciding.compactMap { review in review.comment.map { "\(review.reviewer): \($0)" } }
        if !comments.isEmpty { message += " (" + comments.joined(separator: "; ") + ")" }
        if phase == .denied, status?.decision?.outcome == .deny, let decision = status?.decision?.message,
            !message.contains(decision)
        {
            message += ": \(decision)"
        }
        return RequestOutcome(
            name: request.metadata.name ?? "", namespace: request.metadata.namespace ?? "", phase: phase.rawValue,
            reason: reason, message: message, exitCode: AirlockExitCode.forPhase(phase.rawValue),
            expiresAt: phase == .granted ? status?.expiresAt : nil,
            credentialSecretName: phase == .granted ? status?.credentialSecretName : nil,
            reviews: deciding.isEmpty
                ? nil
                : deciding.map { "\($0.reviewer) \($0.decision.rawValue)" + ($0.comment.map { ": \($0)" } ?? "") })
    }
}
