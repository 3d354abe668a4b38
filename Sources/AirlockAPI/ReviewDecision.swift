/// What one reviewer decides on an ActionRequest (`ActionReview.spec.decision`).
public enum ReviewDecision: String, Codable, Sendable, Hashable, CaseIterable {
    /// Approve a Pending request (optionally for a shorter duration).
    case approve = "Approve"
    /// Deny a Pending request.
    case deny = "Deny"
    /// End a Granted request early (the requester may always revoke its own).
    case revoke = "Revoke"
}
