import AirlockAPI
import Foundation
import KubeCore

/// Everything a reviewer needs to decide about an ActionRequest in seconds, computed purely
/// from the request: who asks, for whom, why, exactly what access (or which role and its
/// resolved rules), for how long, what policy requires, who reviewed so far and when it times
/// out. Every channel renders this same content (Slack's ``SlackApprovalCard``; Teams later),
/// and the event webhook sends it as the event's `data`.
///
/// Codable with stable field names (dates as RFC 3339 with ``KubeJSON``); it holds no token,
/// credential or identity signature.
public struct ApprovalSummary: Codable, Sendable, Hashable {
    /// The request instance (namespace, name, uid).
    public var request: ChatRequestReference
    /// `status.phase` (Pending before the controller has written one).
    public var phase: ActionRequestPhase
    /// The stamped requester's username; nil when not stamped (then nothing counts).
    public var requester: String?
    public var requesterGroups: [String]
    /// The person an agent acts for (`status.requesterOwner`).
    public var requesterOwner: String?
    public var grantee: ApprovalGrantee
    public var reason: String
    public var ticket: String?
    /// The duration asked for.
    public var duration: KubeDuration
    /// `spec.permissions`, one line per rule.
    public var permissions: [AccessLine]
    /// `spec.roleRef` with its resolved rules.
    public var role: RoleSummary?
    /// Every namespace the access reaches (sorted); see ``isClusterWide`` for the rest.
    public var targetNamespaces: [String]
    /// Whether some access has no namespace.
    public var isClusterWide: Bool
    /// What the access makes possible, most alarming first.
    public var risks: [AccessRisk]
    /// `status.decision`.
    public var decision: DecisionSummary?
    /// `status.reviews`, oldest first.
    public var reviews: [ReviewSummary]
    public var createdAt: Date?
    /// When a Pending request expires unreviewed.
    public var pendingDeadline: Date?
    public var grantedAt: Date?
    public var expiresAt: Date?
    /// Why the request ended as it did (the `Decided` condition's message), once decided.
    public var statusMessage: String?

    public init(
        request: ChatRequestReference, phase: ActionRequestPhase, requester: String?, requesterGroups: [String] = [],
        requesterOwner: String? = nil, grantee: ApprovalGrantee, reason: String, ticket: String? = nil,
        duration: KubeDuration, permissions: [AccessLine] = [], role: RoleSummary? = nil,
        decision: DecisionSummary? = nil, reviews: [ReviewSummary] = [], createdAt: Date? = nil,
        pendingDeadline: Date? = nil, grantedAt: Date? = nil, expiresAt: Date? = nil, statusMessage: String? = nil
    ) {
        self.request = request
        self.phase = phase
        self.requester = requester
        self.requesterGroups = requesterGroups
        self.requesterOwner = requesterOwner
        self.grantee = grantee
        self.reason = reason
        self.ticket = ticket
        self.duration = duration
        self.permissions = permissions
        self.role = role
        self.decision = decision
        self.reviews = reviews.sorted { $0.at < $1.at }
        self.createdAt = createdAt
        self.pendingDeadline = pendingDeadline
        self.grantedAt = grantedAt
        self.expiresAt = expiresAt
        self.statusMessage = statusMessage
        var namespaces = Set(permissions.compactMap(\.namespace))
        if let namespace = role?.namespace { namespaces.insert(namespace) }
        self.targetNamespaces = namespaces.sorted()
        self.isClusterWide = permissions.contains { $0.namespace == nil } || (role != nil && role?.namespace == nil)
        self.risks = Set(permissions.flatMap(\.risks) + (role?.risks ?? [])).sorted()
    }

    /// The summary of a request read from the API server.
    ///
    /// - Throws: ``ChatError`` (`.invalidInput`) when the request has no namespace, name or uid.
    public init(request: ActionRequest) throws(ChatError) {
        let spec = request.spec, status = request.status
        let username = spec.requester?.username
        self.init(
            request: try ChatRequestReference(request: request), phase: status?.phase ?? .pending,
            requester: username?.isEmpty == false ? username : nil, requesterGroups: spec.requester?.groups ?? [],
            requesterOwner: status?.requesterOwner, grantee: ApprovalGrantee(spec: spec, status: status),
            reason: spec.reason, ticket: spec.ticket?.isEmpty == false ? spec.ticket : nil, duration: spec.duration,
            permissions: (spec.permissions ?? []).map(AccessLine.init(rule:)),
            role: spec.roleRef.map { RoleSummary(roleRef: $0, snapshot: status?.roleSnapshot) },
            decision: status?.decision.map(DecisionSummary.init),
            reviews: (status?.reviews ?? []).map(ReviewSummary.init),
            createdAt: request.metadata.creationTimestamp, pendingDeadline: status?.pendingDeadline,
            grantedAt: status?.grantedAt, expiresAt: status?.expiresAt,
            statusMessage: status?.conditions?[type: AirlockConstants.ConditionType.decided]
                .flatMap { $0.status == "True" ? $0.message : nil })
    }

    /// Distinct approvals policy requires (1 when not decided yet).
    public var requiredApprovals: Int { decision?.requiredApprovals ?? 1 }

    /// Reviewers whose approval counted, in the order they approved.
    public var countedApprovers: [String] {
        var seen: [String] = []
        for review in reviews where review.counted && review.decision == .approve && !seen.contains(review.reviewer) {
            seen.append(review.reviewer)
        }
        return seen
    }

    /// Standard shorter durations offered by "Approve for less".
    public static let shorterDurationChoices: [KubeDuration] = [
        .init(seconds: 300), .init(seconds: 900), .init(seconds: 1800), .init(seconds: 3600), .init(seconds: 7200),
        .init(seconds: 14_400),
    ]

    /// The choices of ``shorterDurationChoices`` strictly shorter than the duration asked for.
    public var shorterDurations: [KubeDuration] {
        Self.shorterDurationChoices.filter { $0 < duration }
    }
}
