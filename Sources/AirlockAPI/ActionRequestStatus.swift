import Foundation
import KubeCore

/// What the controller has decided and done about an ActionRequest.
public struct ActionRequestStatus: Codable, Sendable, Hashable {
    public var phase: ActionRequestPhase?
    /// Standard conditions; types in ``AirlockConstants/ConditionType``.
    public var conditions: [Condition]?
    /// The outcome of evaluating policies and guardrails.
    public var decision: PolicyDecision?
    /// The latest verdict of each reviewer, counted or not (rejected ones keep their reason);
    /// bounded: past ``ActionRequestStatus/maxListedReviews`` rejected reviews are counted in
    /// `rejectedReviews` but not listed.
    public var reviews: [ReviewRecord]?
    /// The rules of `spec.roleRef` as first evaluated: what is judged and granted.
    public var roleSnapshot: RoleSnapshot?
    /// How many reviews of this request did not count, listed or not.
    public var rejectedReviews: Int?
    /// The owner of the requester (an agent's ServiceAccount annotated `airlock.dev/owner`): a
    /// person who counts as the requester when reviews are judged.
    public var requesterOwner: String?
    public var grantedAt: Date?
    /// When the grants end (the controller requeues for this moment).
    public var expiresAt: Date?
    /// When a request still Pending expires unreviewed.
    public var pendingDeadline: Date?
    /// Every object created for the grant.
    public var grants: [GrantRef]?
    /// Secret holding the ephemeral ServiceAccount's token and kubeconfig.
    public var credentialSecretName: String?
    /// Delivery state per notification channel, so a restart neither loses nor repeats a message.
    public var notifications: [NotificationState]?
    public var observedGeneration: Int64?

    public init(
        phase: ActionRequestPhase? = nil, conditions: [Condition]? = nil, decision: PolicyDecision? = nil,
        reviews: [ReviewRecord]? = nil, grantedAt: Date? = nil, expiresAt: Date? = nil,
        pendingDeadline: Date? = nil, grants: [GrantRef]? = nil, credentialSecretName: String? = nil,
        notifications: [NotificationState]? = nil, observedGeneration: Int64? = nil, rejectedReviews: Int? = nil,
        requesterOwner: String? = nil, roleSnapshot: RoleSnapshot? = nil
    ) {
        self.phase = phase
        self.conditions = conditions
        self.decision = decision
        self.reviews = reviews
        self.grantedAt = grantedAt
        self.expiresAt = expiresAt
        self.pendingDeadline = pendingDeadline
        self.grants = grants
        self.credentialSecretName = credentialSecretName
        self.notifications = notifications
        self.observedGeneration = observedGeneration
        self.rejectedReviews = rejectedReviews
        self.requesterOwner = requesterOwner
        self.roleSnapshot = roleSnapshot
    }

    /// At most this many reviews are listed in `reviews`.
    public static let maxListedReviews = 32
}
