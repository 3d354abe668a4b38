import AirlockAPI
import Foundation
import KubeCore

/// Counts the reviews of one ActionRequest ("Who may approve"). Pure: signatures,
/// SubjectAccessReviews and owner look-ups are done by the caller and passed in on each
/// ``ReviewCandidate``; verdicts already stored in the request's status are passed back in and
/// never re-judged.
///
/// A review counts only if all hold, checked in this order (the first failure is the reason):
/// 1. the signature on the stamped reviewer verifies (`SignatureInvalid`, `MissingIdentity`);
/// 2. it reviews this request instance: the uid the webhook stamped is the request's, and it
///    was created after the request (`OtherRequestInstance`) — a review never counts for a
///    later request that reuses the name;
/// 3. `onBehalfOf` is set only by the controller and names a mapped user
///    (`OnBehalfOfNotPermitted`, `UnmappedChatUser`); the effective reviewer is then that user;
/// 4. the requester (or the person who owns the requesting agent) revoking counts while the
///    request is Pending (withdraw) or Granted (release), with no further checks
///    (`RequestFinished` otherwise);
/// 5. Approve and Deny need a Pending request (`NotPending`), Revoke a Granted one (`NotGranted`);
/// 6. the effective reviewer is not the requester, not the requester's owner, not an agent the
///    requester owns (`SelfApproval`, `OnBehalfOfRequester`), and not the grantee
///    (`GranteeApproval`, `OnBehalfOfGrantee`);
/// 7. every reviewer set of the requirements allows it (`NotAllowedByPolicy`);
/// 8. a SubjectAccessReview allowed it to `approve` (`NotAuthorized`; no result counts as no);
/// 9. an approved duration is positive and not longer than requested (`InvalidDuration`,
///    `DurationNotShorter`: a longer duration is rejected, not clamped, so the reviewer sees it).
///
/// **One verdict per reviewer, the latest**: a reviewer's later Approve replaces its earlier
/// one (its duration too), and a later Deny ends the request. Reviews are taken in creation
/// order (then by name). The outcome, most decisive first:
/// - the first counted Deny or Revoke among the new reviews ends the request (`denied` /
///   `revoked`): any allowed reviewer can veto while the request is Pending. Once Granted, a
///   Deny is `NotPending` (Revoke is the way to end it then).
/// - Pending with at least `requiredApprovals` reviewers whose latest vote is a counted
///   Approve: `approved` for the shortest duration they gave (capped by the request's duration
///   and the requirements' maximum).
/// - Pending otherwise: `pending(approvals:required:)`; any other phase: `unchanged`.
public struct ReviewTally: Sendable, Hashable {
    /// The stamped requester of the request.
    public var requester: Identity
    /// The person who owns the requester (an agent's ServiceAccount annotated with its owner).
    public var requesterOwner: String?
    /// Who receives the access (nil when not known yet).
    public var grantee: Grantee?
    /// `spec.duration` of the request.
    public var requestedDuration: KubeDuration
    public var requirements: ApprovalRequirements
    public var phase: ActionRequestPhase
    /// The request instance reviews must name, and when it was created.
    public var requestUID: String
    public var requestCreatedAt: Date?

    public init(
        requester: Identity, requesterOwner: String? = nil, grantee: Grantee?, requestedDuration: KubeDuration,
        requirements: ApprovalRequirements, phase: ActionRequestPhase, requestUID: String,
        requestCreatedAt: Date? = nil
    ) {
        self.requester = requester
        self.requesterOwner = requesterOwner
        self.grantee = grantee
        self.requestedDuration = requestedDuration
        self.requirements = requirements
        self.phase = phase
        self.requestUID = requestUID
        self.requestCreatedAt = requestCreatedAt
    }

    /// A tally for `request`: its requester and owner, its grantee
    /// (``Grantee/of(_:ephemeralServiceAccount:)``), its duration and its instance.
    public init(
        request: ActionRequest, ephemeralServiceAccount: String?, requirements: ApprovalRequirements,
        phase: ActionRequestPhase
    ) {
        self.init(
            requester: request.spec.requester ?? Identity(username: ""),
            requesterOwner: request.status?.requesterOwner,
            grantee: Grantee.of(request, ephemeralServiceAccount: ephemeralServiceAccount),
            requestedDuration: request.spec.duration, requirements: requirements, phase: phase,
            requestUID: request.metadata.uid ?? "", requestCreatedAt: request.metadata.creationTimestamp)
    }

    /// Judges the `new` reviews and combines them with the verdicts already `recorded` (one
    /// record per reviewer and kind, never re-judged).
    public func tally(_ new: [ReviewCandidate], recorded: [ReviewRecord] = []) -> ReviewTallyResult {
        let ordered = new.sorted { ($0.at, $0.name) < ($1.at, $1.name) }
        let required = max(1, requirements.requiredApprovals)
        var verdicts: [ReviewVerdict] = []
        var ending: ReviewOutcome?
        for review in ordered {
            if let (rejection, message) = rejection(of: review) {
                verdicts.append(ReviewVerdict(review: review, rejection: rejection, message: message))
                continue
            }
            let reviewer = review.effectiveReviewer
            let message: String
            switch review.decision {
            case .approve:
                message = "\(reviewer) approved for \(review.duration ?? requestedDuration)"
            case .deny:
                if ending == nil { ending = .denied(by: reviewer) }
                message = "\(reviewer) denied the request"
            case .revoke:
                if ending == nil { ending = .revoked(by: reviewer) }
                if isRequester(reviewer) {
                    message =
                        phase == .pending ? "the requester withdrew its request" : "the requester released its grant"
                } else {
                    message = "\(reviewer) revoked the grant"
                }
            }
            verdicts.append(ReviewVerdict(review: review, rejection: nil, message: message))
        }
        let records = Self.merge(recorded, verdicts.map(\.record))
        let approvals = Self.latestVotes(records).filter { $0.decision == .approve }
        let outcome: ReviewOutcome
        if let ending {
            outcome = ending
        } else if phase == .pending {
            if approvals.count >= required {
                let durations = approvals.map { $0.duration ?? requestedDuration }
                outcome = .approved(duration: (durations + [requestedDuration, requirements.maxDuration]).min()!)
            } else {
                outcome = .pending(approvals: approvals.count, required: required)
            }
        } else {
            outcome = .unchanged
        }
        return ReviewTallyResult(verdicts: verdicts, records: records, outcome: outcome)
    }

    /// Whether `review` must be authorized by a SubjectAccessReview: it passes every check
    /// that needs no I/O. The caller asks the API server only for these.
    public func needsAuthorization(_ review: ReviewCandidate) -> Bool {
        var probe = review
        probe.approveAllowed = true
        guard rejection(of: probe) == nil else { return false }
        return !(review.decision == .revoke && isRequester(review.effectiveReviewer))
    }

    // MARK: Records

    /// The counted Approve/Deny records that stand: each reviewer's latest.
    public static func latestVotes(_ records: [ReviewRecord]) -> [ReviewRecord] {
        var latest: [String: ReviewRecord] = [:]
        for record in records where record.counted && record.decision != .revoke {
            if let current = latest[record.reviewer],
                (current.at, current.review ?? "") > (record.at, record.review ?? "")
            {
                continue
            }
            latest[record.reviewer] = record
        }
        return latest.values.sorted { ($0.at, $0.review ?? "") < ($1.at, $1.review ?? "") }
    }

    /// `status.reviews`: per reviewer its latest counted vote, its counted Revoke and its latest
    /// rejected review; counted records first, then the newest rejected ones, at most
    /// ``AirlockAPI/ActionRequestStatus/maxListedReviews`` in all.
    static func merge(_ recorded: [ReviewRecord], _ new: [ReviewRecord]) -> [ReviewRecord] {
        let all = (recorded + new).sorted { ($0.at, $0.review ?? "") < ($1.at, $1.review ?? "") }
        var kept: [String: ReviewRecord] = [:]
        for record in all {
            let kind = record.counted ? (record.decision == .revoke ? "revoke" : "vote") : "rejected"
            kept["\(record.reviewer)\u{1}\(kind)"] = record
        }
        let sorted = kept.values.sorted { ($0.at, $0.review ?? "") < ($1.at, $1.review ?? "") }
        // Counted records are few (at most the required approvals, capped at 10 by the schema,
        // and one Deny or Revoke, which ends the request); they are never dropped.
        let counted = sorted.filter(\.counted)
        let room = max(0, ActionRequestStatus.maxListedReviews - counted.count)
        let rejected = sorted.filter { !$0.counted }.suffix(room)
        return (counted + rejected).sorted { ($0.at, $0.review ?? "") < ($1.at, $1.review ?? "") }
    }

    // MARK: Judging one review

    public func isRequester(_ username: String) -> Bool {
        username == requester.username || (requesterOwner.map { !$0.isEmpty && $0 == username } ?? false)
    }

    /// Why `review` cannot count, or nil when it can.
    func rejection(of review: ReviewCandidate) -> (ReviewRejection, String)? {
        let creator = review.reviewer.username
        guard review.signatureVerified else {
            return (
                .signatureInvalid,
                "the signature on reviewer \(creator.isEmpty ? "(none)" : creator) does not verify; reviews must"
                    + " pass the Airlock admission webhook"
            )
        }
        guard !creator.isEmpty else { return (.missingIdentity, "the review has no stamped reviewer") }
        if let instance = instanceRejection(of: review) { return (.otherRequestInstance, instance) }
        if review.admissionUnverified {
            return (
                .admissionUnverified,
                "the review was created while Airlock's admission webhooks were missing or altered; create it again"
            )
        }
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
        if review.decision == .revoke && isRequester(reviewer) {
            guard phase == .pending || phase == .granted else {
                return (.requestFinished, "the request is already \(phase.rawValue); there is nothing to revoke")
            }
            return nil
        }
        if let phaseRejection = phaseRejection(of: review) { return phaseRejection }
        if let selfRejection = selfRejection(of: review, viaChat: viaChat) { return selfRejection }
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

    private func instanceRejection(of review: ReviewCandidate) -> String? {
        guard let uid = review.requestUID, !uid.isEmpty else {
            return "the review names no request instance (it did not pass the Airlock admission webhook)"
        }
        guard uid == requestUID else {
            return "the review is for an earlier request of the same name (uid \(uid)); reviews never carry over"
        }
        if let created = requestCreatedAt, review.at < created {
            return "the review was created before the request it names"
        }
        return nil
    }

    private func phaseRejection(of review: ReviewCandidate) -> (ReviewRejection, String)? {
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
        return nil
    }

    private func selfRejection(of review: ReviewCandidate, viaChat: Bool) -> (ReviewRejection, String)? {
        let reviewer = review.effectiveReviewer
        var sameHuman: String?
        if reviewer == requester.username {
            sameHuman = "\(reviewer) is the requester"
        } else if isRequester(reviewer) {
            sameHuman = "\(reviewer) owns the requester \(requester.username)"
        } else if let owner = review.reviewerOwner, !owner.isEmpty, isRequester(owner) {
            sameHuman = "\(reviewer) is an agent of \(owner), who is the requester or owns it"
        }
        if let sameHuman {
            return viaChat
                ? (.onBehalfOfRequester, "\(sameHuman); a chat review on its behalf does not count")
                : (.selfApproval, "\(sameHuman) and cannot review its own request (it may Revoke it)")
        }
        if let grantee, grantee.includes(review.effectiveIdentity) {
            return viaChat
                ? (
                    .onBehalfOfGrantee,
                    "\(reviewer) would receive the access; a chat review on its behalf does not count"
                )
                : (.granteeApproval, "\(reviewer) would receive the access and cannot review the request")
        }
        return nil
    }
}
