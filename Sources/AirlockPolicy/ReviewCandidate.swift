import AirlockAPI
import Foundation
import KubeCore

/// One ActionReview as ``ReviewTally`` needs it, with the checks that need I/O or secrets
/// already done by the caller (signature verification, SubjectAccessReview).
public struct ReviewCandidate: Sendable, Hashable {
    /// Name of the ActionReview.
    public var name: String
    /// The stamped identity that created the review (`spec.reviewer`).
    public var reviewer: Identity
    /// The chat user the review speaks for (`spec.onBehalfOf`), if any.
    public var onBehalfOf: OnBehalfOf?
    /// Groups of the `onBehalfOf` user, from the controller's chat-user mapping (Kubernetes has
    /// no API to look up a user's groups). Make the SubjectAccessReview with the same groups.
    public var onBehalfOfGroups: [String]
    /// Whether `reviewer` may speak for others: true only when it is the controller's own identity.
    public var onBehalfOfPermitted: Bool
    public var decision: ReviewDecision
    /// With Approve: the (shorter) duration approved; nil approves the requested duration.
    public var duration: KubeDuration?
    public var comment: String?
    /// ``AirlockAPI/AirlockConstants/Channel`` the review came through.
    public var channel: String
    /// Whether the signature on `reviewer` verified.
    public var signatureVerified: Bool
    /// Whether a SubjectAccessReview allowed the effective reviewer to `approve`
    /// `actionrequests.airlock.dev` in the request's namespace; nil when not checked (the
    /// requester revoking its own request needs no check; any other review without a result
    /// does not count).
    public var approveAllowed: Bool?
    /// When the review was created; reviews are tallied in this order (then by name).
    public var at: Date
    /// The request instance the review names (`spec.requestUID`, stamped by the webhook).
    public var requestUID: String?
    /// The owner of the reviewer, when the reviewer is an agent's ServiceAccount with an owner.
    public var reviewerOwner: String?
    /// Created while Airlock's admission webhooks were missing or altered.
    public var admissionUnverified: Bool

    public init(
        name: String, reviewer: Identity, onBehalfOf: OnBehalfOf? = nil, onBehalfOfGroups: [String] = [],
        onBehalfOfPermitted: Bool = false,
        decision: ReviewDecision, duration: KubeDuration? = nil, comment: String? = nil,
        channel: String = AirlockConstants.Channel.kubernetes, signatureVerified: Bool, approveAllowed: Bool?,
        at: Date, requestUID: String?, reviewerOwner: String? = nil, admissionUnverified: Bool = false
    ) {
        self.name = name
        self.reviewer = reviewer
        self.onBehalfOf = onBehalfOf
        self.onBehalfOfGroups = onBehalfOfGroups
        self.onBehalfOfPermitted = onBehalfOfPermitted
        self.decision = decision
        self.duration = duration
        self.comment = comment
        self.channel = channel
        self.signatureVerified = signatureVerified
        self.approveAllowed = approveAllowed
        self.at = at
        self.requestUID = requestUID
        self.reviewerOwner = reviewerOwner
        self.admissionUnverified = admissionUnverified
    }

    /// The username the review counts for: the `onBehalfOf` user for a chat review, otherwise
    /// the stamped reviewer. For an unmapped chat user, `<channel>:<external user>`.
    public var effectiveReviewer: String {
        guard let onBehalfOf else { return reviewer.username }
        return onBehalfOf.username ?? "\(onBehalfOf.channel):\(onBehalfOf.externalUser)"
    }

    /// The identity whose SubjectAccessReview and reviewer constraints apply: the `onBehalfOf`
    /// user (with ``onBehalfOfGroups``) or the stamped reviewer.
    public var effectiveIdentity: Identity {
        guard let onBehalfOf else { return reviewer }
        return Identity(username: onBehalfOf.username ?? "", groups: onBehalfOfGroups)
    }
}
