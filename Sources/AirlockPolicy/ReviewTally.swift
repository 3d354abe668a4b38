import AirlockAPI
import KubeCore

/// Counts the reviews of one ActionRequest ("Who may approve"). Pure: signatures and
/// SubjectAccessReviews are checked by the caller and passed in on each ``ReviewCandidate``.
///
/// A review counts only if all hold, checked in this order (the first failure is the reason):
/// 1. the signature on the stamped reviewer verifies (`SignatureInvalid`, `MissingIdentity`);
/// 2. `onBehalfOf` is set only by the controller and names a mapped user
///    (`OnBehalfOfNotPermitted`, `UnmappedChatUser`); the effective reviewer is then that user;
/// 3. the requester revoking its own request counts while it is Pending (withdraw) or Granted
///    (release), with no further checks (`RequestFinished` otherwise);
/// 4. Approve and Deny need a Pending request (`NotPending`), Revoke a Granted one (`NotGranted`);
/// 5. the effective reviewer is not the requester (`SelfApproval`, `OnBehalfOfRequester`) and not
///    the grantee (`GranteeApproval`, `OnBehalfOfGrantee`);
/// 6. every reviewer set of the requirements allows it (`NotAllowedByPolicy`);
/// 7. a SubjectAccessReview allowed it to `approve` (`NotAuthorized`; no result counts as no);
/// 8. an approved duration is positive and not longer than requested (`InvalidDuration`,
///    `DurationNotShorter`: a longer duration is rejected, not clamped, so the reviewer sees it);
/// 9. it is the reviewer's first counted Approve or Deny (`DuplicateVote`; Revoke is not a vote).
///
/// Reviews are taken in creation order (then by name), which decides which vote is first.
/// The outcome, most decisive first:
/// - the first counted Deny or Revoke ends the request (`denied` / `revoked`). **A counted Deny
///   wins over approvals in the same tally whatever their order**: any allowed reviewer can veto
///   while the request is Pending. Once the controller has acted on enough approvals the request
///   is Granted, and a later Deny is `NotPending` (Revoke is the way to end it then).
/// - Pending with at least `requiredApprovals` counted approvals from distinct reviewers:
///   `approved` for the shortest duration any counted approval gave (capped by the request's
///   duration and the requirements' maximum).
/// - Pending otherwise: `pending(approvals:required:)`; any other phase: `unchanged`.
///
/// Use it level-based: while Pending, pass every review of the request (the result is the same
/// each time for the same inputs); once Granted, pass the reviews not yet recorded in
/// `status.reviews`, so earlier approvals are not re-judged against the new phase.
public struct ReviewTally: Sendable, Hashable {
    /// The stamped requester of the request.
    public var requester: Identity
    /// Who receives the access (nil when not known yet, e.g. the ephemeral ServiceAccount is
    /// not named yet).
    public var grantee: Grantee?
    /// `spec.duration` of the request.
    public var requestedDuration: KubeDuration
    public var requirements: ApprovalRequirements
    public var phase: ActionRequestPhase

    public init(
        requester: Identity, grantee: Grantee?, requestedDuration: KubeDuration,
        requirements: ApprovalRequirements, phase: ActionRequestPhase
    ) {
        self.requester = requester
        self.grantee = grantee
        self.requestedDuration = requestedDuration
        self.requirements = requirements
        self.phase = phase
    }

    /// A tally for `request`: its requester, its grantee (``Grantee/of(_:ephemeralServiceAccount:)``)
    /// and its duration.
    public init(
        request: ActionRequest, ephemeralServiceAccount: String?, requirements: ApprovalRequirements,
        phase: ActionRequestPhase
    ) {
        self.init(
            requester: request.spec.requester ?? Identity(username: ""),
            grantee: Grantee.of(request, ephemeralServiceAccount: ephemeralServiceAccount),
            requestedDuration: request.spec.duration, requirements: requirements, phase: phase)
    }

    /// Judges every review and the outcome they lead to.
    public func tally(_ reviews: [ReviewCandidate]) -> ReviewTallyResult {
        let ordered = reviews.sorted { ($0.at, $0.name) < ($1.at, $1.name) }
        let required = max(1, requirements.requiredApprovals)
        var verdicts: [ReviewVerdict] = []
        var votes: [String: String] = [:]  // effective reviewer -> name of its counted vote
        var approvals: [KubeDuration] = []
        var ending: ReviewOutcome?
        for review in ordered {
            if let (rejection, message) = rejection(of: review) {
                verdicts.append(ReviewVerdict(review: review, rejection: rejection, message: message))
                continue
            }
            let reviewer = review.effectiveReviewer
            if review.decision != .revoke {
                if let earlier = votes[reviewer] {
                    verdicts.append(
                        ReviewVerdict(
                            review: review, rejection: .duplicateVote,
                            message: "\(reviewer) already voted in review \(earlier); one vote per reviewer"))
                    continue
                }
                votes[reviewer] = review.name
            }
            let message: String
            switch review.decision {
            case .approve:
                let duration = review.duration ?? requestedDuration
                approvals.append(duration)
                message = "\(reviewer) approved for \(duration) (\(approvals.count) of \(required) required)"
            case .deny:
                if ending == nil { ending = .denied(by: reviewer) }
                message = "\(reviewer) denied the request"
            case .revoke:
                if ending == nil { ending = .revoked(by: reviewer) }
                if reviewer == requester.username {
                    message =
                        phase == .pending ? "the requester withdrew its request" : "the requester released its grant"
                } else {
                    message = "\(reviewer) revoked the grant"
                }
            }
            verdicts.append(ReviewVerdict(review: review, rejection: nil, message: message))
        }
        let outcome: ReviewOutcome
        if let ending {
            outcome = ending
        } else if phase == .pending {
            if approvals.count >= required {
                outcome = .approved(duration: (approvals + [requestedDuration, requirements.maxDuration]).min()!)
            } else {
                outcome = .pending(approvals: approvals.count, required: required)
            }
        } else {
            outcome = .unchanged
        }
        return ReviewTallyResult(verdicts: verdicts, outcome: outcome)
    }

    /// Why `review` cannot count, or nil when it can (duplicates aside).
    private func rejection(of review: ReviewCandidate) -> (ReviewRejection, String)? {
        let creator = review.reviewer.username
        guard review.signatureVerified else {
            return (
                .signatureInvalid,
                "the signature on reviewer \(creator.isEmpty ? "(none)" : creator) does not verify; reviews must"
                    + " pass the Airlock admission webhook"
            )
        }
        guard !creator.isEmpty else { return (.missingIdentity, "the review has no stamped reviewer") }
        let reviewer = review.effectiveReviewer
        if let onBehalfOf = review.onBehalfOf {
            guard review.onBehalfOfPermitted else {
                return (
                    .onBehalfOfNotPermitted,
                    "\(creator) may not review on behalf of others; only the Airlock controller sets onBehalfOf"
                )
            }
            guard let username = onBehalfOf.username, !username.isEmpty else {
                return (
                    .unmappedChatUser,
                    "\(onBehalfOf.channel) user \(onBehalfOf.externalUser) is not mapped to a Kubernetes user"
                )
            }
        }
        let viaChat = review.onBehalfOf != nil
        let isRequester = reviewer == requester.username

        if review.decision == .revoke && isRequester {
            guard phase == .pending || phase == .granted else {
                return (.requestFinished, "the request is already \(phase.rawValue); there is nothing to revoke")
            }
            return nil
        }
        switch review.decision {
        case .approve, .deny:
            guard phase == .pending else {
                let hint = phase == .granted ? "; use Revoke to end the grant" : ""
                return (.notPending, "the request is \(phase.rawValue), no longer Pending\(hint)")
            }
        case .revoke:
            guard phase == .granted else {
                let hint = phase == .pending ? "; use Deny to stop it" : ""
                return (.notGranted, "the request is \(phase.rawValue), not Granted\(hint)")
            }
        }
        if isRequester {
            return viaChat
                ? (.onBehalfOfRequester, "\(reviewer) is the requester; a chat review on its behalf does not count")
                : (.selfApproval, "\(reviewer) is the requester and cannot review its own request (it may Revoke it)")
        }
        if let grantee, grantee.includes(review.effectiveIdentity) {
            return viaChat
                ? (
                    .onBehalfOfGrantee,
                    "\(reviewer) would receive the access; a chat review on its behalf does not count"
                )
                : (.granteeApproval, "\(reviewer) would receive the access and cannot review the request")
        }
        if !requirements.allows(review.effectiveIdentity) {
            let sets = requirements.reviewerSets.map(Evaluation.describe).joined(separator: " and ")
            return (.notAllowedByPolicy, "\(reviewer) is not an allowed reviewer: reviewers must be \(sets)")
        }
        guard review.approveAllowed == true else {
            let why = review.approveAllowed == nil ? "was not checked" : "denied it"
            return (
                .notAuthorized,
                "\(reviewer) may not approve actionrequests.airlock.dev here (the SubjectAccessReview \(why))"
            )
        }
        if review.decision == .approve, let duration = review.duration {
            guard duration.seconds > 0 else {
                return (.invalidDuration, "approved duration \(duration) is not positive")
            }
            guard duration <= requestedDuration else {
                return (
                    .durationNotShorter,
                    "approved duration \(duration) is longer than the requested \(requestedDuration); a review may"
                        + " only shorten it"
                )
            }
        }
        return nil
    }
}
