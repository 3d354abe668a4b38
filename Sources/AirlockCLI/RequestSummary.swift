import AirlockAPI
import Foundation
import KubeCore

/// One ActionRequest as `airlock list` and `airlock describe` show it, and as their
/// `-o json|yaml` print it: what is asked, by whom, where it stands, what is left.
public struct RequestSummary: Codable, Sendable, Equatable {
    public struct Approvals: Codable, Sendable, Equatable {
        /// Distinct reviewers whose Approve counted.
        public var counted: Int
        /// How many the decision requires (nil when none are needed or it is not evaluated yet).
        public var required: Int?
    }

    public struct Review: Codable, Sendable, Equatable {
        public var reviewer: String
        public var decision: String
        public var at: Date
        public var channel: String
        public var counted: Bool
        public var comment: String?
        public var duration: String?
        /// Why it did not count: `<Code>: <explanation>`.
        public var rejectedReason: String?
    }

    public struct Decision: Codable, Sendable, Equatable {
        public var outcome: String
        public var reason: String?
        public var message: String?
        public var policies: [String]?
        /// Who may approve, in words (`group sre`).
        public var reviewers: String?
    }

    public var name: String
    public var namespace: String
    /// `Pending`, `Granted`, `Denied`, `Expired`, `Revoked`, `Failed`, or `New` before evaluation.
    public var phase: String
    /// The Decided condition's reason when decided, else the Approved condition's.
    public var phaseReason: String?
    public var requester: String?
    /// What is asked, in the `--allow` / `--role` grammars.
    public var asks: [String]
    public var reason: String
    public var ticket: String?
    public var duration: String
    public var credential: String
    public var createdAt: Date?
    /// Pending: when review closes. Granted: when access ends.
    public var deadline: Date?
    /// Seconds until `deadline` (never negative); nil when finished.
    public var secondsLeft: Int?
    public var approvals: Approvals
    public var decision: Decision?
    public var reviews: [Review]
    public var rejectedReviews: Int?
    public var grants: [String]
    public var credentialSecretName: String?
    public var notifications: [String]
    public var conditions: [String]
    /// The outcome and its exit code, once decided.
    public var outcome: RequestOutcome?

    public init(_ request: ActionRequest, now: Date) {
        let status = request.status
        let phase = status?.phase
        name = request.metadata.name ?? ""
        namespace = request.metadata.namespace ?? ""
        self.phase = phase?.rawValue ?? "New"
        let conditions = status?.conditions ?? []
        phaseReason =
            phase == .pending
            ? conditions[type: AirlockConstants.ConditionType.approved]?.reason
            : RequestOutcome.of(request)?.reason
        requester = request.spec.requester?.username
        asks = AccessText.describe(request.spec)
        reason = request.spec.reason
        ticket = request.spec.ticket
        duration = request.spec.duration.description
        credential = request.spec.effectiveCredential.rawValue
        createdAt = request.metadata.creationTimestamp
        switch phase {
        case .pending: deadline = status?.pendingDeadline
        case .granted: deadline = status?.expiresAt
        default: deadline = nil
        }
        secondsLeft = deadline.map { max(0, Int($0.timeIntervalSince(now).rounded(.down))) }
        let records = status?.reviews ?? []
        approvals = Approvals(
            counted: Set(records.filter { $0.counted && $0.decision == .approve }.map(\.reviewer)).count,
            required: status?.decision.flatMap { $0.outcome == .requireApproval ? ($0.requiredApprovals ?? 1) : nil })
        decision = status?.decision.map {
            Decision(
                outcome: $0.outcome.rawValue, reason: $0.reason, message: $0.message, policies: $0.policies,
                reviewers: RequestFollower.reviewers($0.reviewers))
        }
        reviews = records.map {
            Review(
                reviewer: $0.reviewer, decision: $0.decision.rawValue, at: $0.at, channel: $0.channel,
                counted: $0.counted, comment: $0.comment, duration: $0.duration?.description,
                rejectedReason: $0.rejectedReason)
        }
        rejectedReviews = status?.rejectedReviews
        grants = (status?.grants ?? []).map { grant in
            "\(grant.kind) " + (grant.namespace.map { "\($0)/" } ?? "") + grant.name
        }
        credentialSecretName = status?.credentialSecretName
        notifications = (status?.notifications ?? []).map { note in
            var text = note.channel + (note.target.map { " \($0)" } ?? "")
            text += note.delivered ? " delivered" : " not delivered"
            text += " (\(note.attempts) attempt\(note.attempts == 1 ? "" : "s"))"
            if let error = note.lastError, !note.delivered { text += ": \(error)" }
            return text
        }
        self.conditions = conditions.map { "\($0.type)=\($0.status) \($0.reason): \($0.message)" }
        outcome = RequestOutcome.of(request)
    }

    /// Rank for listing: Pending (and new) first, then Granted, then the finished.
    var rank: Int {
        switch phase {
        case "New", "Pending": 0
        case "Granted": 1
        default: 2
        }
    }

    /// Pending first (the one whose review closes soonest first), then Granted, then the
    /// finished, newest first.
    public static func sorted(_ summaries: [RequestSummary]) -> [RequestSummary] {
        summaries.sorted { left, right in
            if left.rank != right.rank { return left.rank < right.rank }
            if left.rank == 0, let a = left.deadline, let b = right.deadline, a != b { return a < b }
            let a = left.createdAt ?? .distantPast
            let b = right.createdAt ?? .distantPast
            if a != b { return a > b }
            return (left.namespace, left.name) < (right.namespace, right.name)
        }
    }
}

/// `-o json|yaml` of `airlock list`.
public struct RequestSummaryList: Codable, Sendable, Equatable {
    public var items: [RequestSummary]

    public init(items: [RequestSummary]) {
        self.items = items
    }
}
