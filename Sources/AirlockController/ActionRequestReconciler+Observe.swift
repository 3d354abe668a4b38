import AirlockAPI
import AirlockIdentity
import AirlockPolicy
import Foundation
import KubeClient
import KubeCore

extension ActionRequestReconciler {
    /// Gathers what the lifecycle decides on. Only what the request's phase needs is looked up:
    /// nothing for a finished request; reviews for a Granted one; role, policies, owner and
    /// reviews for a Pending one.
    func observe(_ request: ActionRequest) async throws -> LifecycleObservation {
        let pending = (request.status?.phase ?? .pending) == .pending
        // The signature matters until something is granted: a Granted or finished request was
        // verified before it got there (and its stored verdicts are authoritative).
        var observation = LifecycleObservation(
            request: request, now: clock.date, requester: pending ? signer.verify(request) : .verified,
            admissionUnverified: pending
                && (integrity?.isUnverified(createdAt: request.metadata.creationTimestamp) ?? false))
        switch request.status?.phase {
        case .some(let phase) where phase.isTerminal:
            return observation
        case .granted:
            let tally = ActionRequestLifecycle.tally(
                for: request, requirements: ActionRequestLifecycle.grantedRequirements(of: request), phase: .granted)
            observation.reviews = try await observeReviews(of: request, tally: tally)
            observation.expiry = expiries.withLock { $0[request.metadata.uid ?? ""] } ?? .notStarted
            return observation
        default:
            break
        }
        guard observation.requester.isVerified, !observation.admissionUnverified else { return observation }
        var role = request.status?.roleSnapshot
        if let ref = request.spec.roleRef, role == nil {
            let resolution = try await roles.resolve(ref)
            observation.role = resolution
            if case .resolved(let snapshot) = resolution { role = snapshot }
        }
        let evaluation = evaluator.evaluate(request: request, policies: policies.list(), role: role)
        observation.evaluation = evaluation
        guard case .requireApproval(let requirements) = evaluation else { return observation }
        if request.status?.phase != .pending, let requester = request.spec.requester?.username {
            observation.requesterOwner = try await owners.owner(of: requester)
        }
        let tally = ActionRequestLifecycle.tally(
            for: request, requirements: requirements, phase: .pending, requesterOwner: observation.requesterOwner)
        observation.reviews = try await observeReviews(of: request, tally: tally)
        return observation
    }

    /// Every review naming the request; those without a verdict become candidates, with their
    /// signature checked and — only if nothing cheaper rejects them — the reviewer's owner and
    /// a SubjectAccessReview looked up.
    func observeReviews(of request: ActionRequest, tally: ReviewTally) async throws -> [ReviewObservation] {
        let namespace = request.metadata.namespace ?? ""
        let name = request.metadata.name ?? ""
        let listed = Set((request.status?.reviews ?? []).compactMap(\.review))
        var observed: [ReviewObservation] = []
        for review in reviews.list(namespace: namespace) where review.spec.request == name {
            var observation = ReviewObservation(
                name: review.metadata.name ?? "", generation: review.metadata.generation,
                requestUID: review.spec.requestUID, copy: review.status, candidate: nil)
            if !ReviewObservation.isJudged(review, listed: listed) {
                observation.candidate = try await candidate(review, namespace: namespace, request: name, tally: tally)
            }
            observed.append(observation)
        }
        return observed
    }

    private func candidate(
        _ review: ActionReview, namespace: String, request: String, tally: ReviewTally
    ) async throws -> ReviewCandidate {
        let createdAt = review.metadata.creationTimestamp ?? Date.distantPast
        var candidate = ReviewCandidate(
            name: review.metadata.name ?? "", reviewer: review.spec.reviewer ?? Identity(username: ""),
            onBehalfOf: review.spec.onBehalfOf, onBehalfOfGroups: review.spec.onBehalfOf?.groups ?? [],
            onBehalfOfPermitted: review.spec.onBehalfOf == nil
                || review.spec.reviewer?.username == configuration.controllerUsername,
            decision: review.spec.decision, duration: review.spec.duration, comment: review.spec.comment,
            channel: review.spec.onBehalfOf?.channel ?? AirlockConstants.Channel.kubernetes,
            signatureVerified: signer.verify(review).isVerified, approveAllowed: nil, at: createdAt,
            requestUID: review.spec.requestUID,
            admissionUnverified: integrity?.isUnverified(createdAt: review.metadata.creationTimestamp) ?? false)
        guard tally.needsAuthorization(candidate) else { return candidate }
        let identity = candidate.effectiveIdentity
        if let owner = try await owners.owner(of: identity.username), !owner.isEmpty {
            candidate.reviewerOwner = owner
            guard tally.needsAuthorization(candidate) else { return candidate }
        }
        candidate.approveAllowed = try await authorizer.mayApprove(identity, namespace: namespace, request: request)
        return candidate
    }
}
