import AirlockAPI
import AirlockIdentity
import AirlockPolicy
import Foundation
import KubeCore

/// Everything ``ActionRequestLifecycle`` decides on, gathered by the reconciler (the only part
/// that does I/O): the request as cached, the clock, and the checks that need keys or the API
/// server, already made.
public struct LifecycleObservation: Sendable {
    public var request: ActionRequest
    public var now: Date
    /// The requester signature's verification (needed while Pending: later phases were
    /// verified on their way there).
    public var requester: IdentityVerification
    /// Whether the request was created while Airlock's admission webhooks were missing or altered.
    public var admissionUnverified: Bool
    /// The rules of `spec.roleRef`, resolved now because the status has no snapshot yet.
    public var role: RoleResolution?
    /// Policies and guardrails on the request's access (with its role snapshot). Needed while
    /// the request is Pending.
    public var evaluation: Evaluation?
    /// The requester's owner, looked up when the request first needs reviews: nil not looked
    /// up, "" none.
    public var requesterOwner: String?
    /// Every ActionReview naming the request (by name: earlier instances' too).
    public var reviews: [ReviewObservation]
    /// How the grant attempt of the step decided on this observation failed, if it did.
    public var grantFailure: GrantError?
    /// How far this process got in deleting the grant's bindings at its expiry, before the
    /// rest of the revocation (``LifecycleStep/followUp``).
    public var expiry: ExpiryProgress = .notStarted

    public init(
        request: ActionRequest, now: Date, requester: IdentityVerification, admissionUnverified: Bool = false,
        role: RoleResolution? = nil, evaluation: Evaluation? = nil, requesterOwner: String? = nil,
        reviews: [ReviewObservation] = []
    ) {
        self.request = request
        self.now = now
        self.requester = requester
        self.admissionUnverified = admissionUnverified
        self.role = role
        self.evaluation = evaluation
        self.requesterOwner = requesterOwner
        self.reviews = reviews
    }
}

/// How far this process got in ending a grant's access at expiry. Kept in memory only: after a
/// restart the bindings are deleted again (already gone: skipped).
public enum ExpiryProgress: Sendable, Hashable {
    case notStarted
    /// The bindings are deleted; the other objects and the status follow.
    case bindingsRevoked
    /// Deleting the bindings failed: everything is deleted at once, so what can go goes.
    case bindingsFailed
}

/// The outcome of resolving a roleRef to its rules.
public enum RoleResolution: Sendable, Hashable {
    case resolved(RoleSnapshot)
    /// The role does not exist, or cannot be snapshotted (too many rules): the message says why.
    case unavailable(String)
}

/// One ActionReview naming the request.
public struct ReviewObservation: Sendable, Hashable {
    public var name: String
    public var generation: Int64?
    /// The request instance it names (`spec.requestUID`).
    public var requestUID: String?
    /// Its status as last written (the copy of its verdict), if any.
    public var copy: ActionReviewStatus?
    /// The review to judge, when it has no verdict yet (not in `status.reviews`, no copy).
    public var candidate: ReviewCandidate?

    public init(
        name: String, generation: Int64? = 1, requestUID: String?, copy: ActionReviewStatus?,
        candidate: ReviewCandidate?
    ) {
        self.name = name
        self.generation = generation
        self.requestUID = requestUID
        self.copy = copy
        self.candidate = candidate
    }

    /// Whether the review already has a verdict the controller wrote (listed or copied).
    public static func isJudged(_ review: ActionReview, listed: Set<String>) -> Bool {
        listed.contains(review.metadata.name ?? "") || review.status?.counted != nil
    }
}
