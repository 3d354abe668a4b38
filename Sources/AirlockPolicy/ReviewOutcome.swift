import AirlockAPI
import KubeCore

/// Where the counted reviews leave a request.
public enum ReviewOutcome: Sendable, Hashable {
    /// Pending, not enough approvals yet.
    case pending(approvals: Int, required: Int)
    /// Enough distinct approvals: grant for `duration` (the shortest any counted approval
    /// gave, never longer than requested).
    case approved(duration: KubeDuration)
    /// A counted Deny (username of the reviewer).
    case denied(by: String)
    /// A counted Revoke: by an allowed reviewer of a Granted request, or by the requester
    /// (withdrawing a Pending request or releasing a Granted one).
    case revoked(by: String)
    /// Nothing changes: a Granted request without a counted Revoke, or a finished request.
    case unchanged
}

/// The result of ``ReviewTally/tally(_:)``.
public struct ReviewTallyResult: Sendable, Hashable {
    /// One verdict per new review, in tally order (creation time, then name).
    public var verdicts: [ReviewVerdict]
    /// The records for `status.reviews`: the earlier ones merged with the new verdicts, one
    /// per reviewer and kind, bounded.
    public var records: [ReviewRecord]
    public var outcome: ReviewOutcome

    public init(verdicts: [ReviewVerdict], records: [ReviewRecord] = [], outcome: ReviewOutcome) {
        self.verdicts = verdicts
        self.records = records
        self.outcome = outcome
    }

    /// The verdicts of the reviews that did not count.
    public var rejected: [ReviewVerdict] { verdicts.filter { !$0.counted } }

    /// The verdict on the review named `name`.
    public func verdict(for name: String) -> ReviewVerdict? { verdicts.first { $0.review.name == name } }
}
