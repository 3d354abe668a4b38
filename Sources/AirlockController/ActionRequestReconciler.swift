import AirlockAPI
import AirlockIdentity
import AirlockPolicy
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import Synchronization

/// Settings of the ActionRequest reconciler.
public struct ActionRequestReconcilerConfiguration: Sendable {
    /// The controller's own username: the only identity that may create reviews `onBehalfOf`
    /// chat users.
    public var controllerUsername: String
    /// Where credential kubeconfigs point.
    public var credentialEndpoint: CredentialEndpoint

    public init(controllerUsername: String, credentialEndpoint: CredentialEndpoint) {
        self.controllerUsername = controllerUsername
        self.credentialEndpoint = credentialEndpoint
    }
}

/// Moves an ActionRequest through its life: Pending → Granted → Expired/Revoked, or Denied /
/// Failed. Level-based: it reads the request, its reviews and the policies from the caches
/// and acts on what it finds; every status write carries the resourceVersion it read.
///
/// - The requester's identity must carry the webhook's valid signature, else the request is
///   Denied (`UntrustedIdentity`) and nothing is granted.
/// - Policies and guardrails decide (`AirlockPolicy`); a Pending request is re-evaluated on
///   each pass, so a tightened policy applies before anything is granted.
/// - Reviews are judged by `ReviewTally` with verified signatures and SubjectAccessReviews;
///   rejected ones stay in `status.reviews` with their reason and raise a Warning Event.
/// - Grants are created by `GrantApplier` and removed by `GrantRevoker` (bindings first); a
///   finalizer removes them before the request itself goes.
/// - Timed work (expiry, pending deadline) is a requeue at that time.
public final class ActionRequestReconciler: Reconciler {
    private let client: KubernetesClient
    private let requests: Store<ActionRequest>
    private let reviews: Store<ActionReview>
    private let policies: Store<ApprovalPolicy>
    private let evaluator: PolicyEvaluator
    private let signer: IdentitySigner
    private let authorizer: ReviewAuthorizer
    private let events: EventRecorder?
    private let audit: AuditTrail
    private let configuration: ActionRequestReconcilerConfiguration
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let planner = GrantPlanner()
    private let applier: GrantApplier
    private let revoker: GrantRevoker
    /// Per request, the resourceVersion our last write replaced: while the cache still shows
    /// it, the cache is behind our own write, and the watch event of the write will wake the
    /// key again. Acting on the stale copy would only repeat work and lose a 409.
    private let superseded = Mutex<[ObjectKey: Set<String>]>([:])

    public init(
        client: KubernetesClient, requests: Store<ActionRequest>, reviews: Store<ActionReview>,
        policies: Store<ApprovalPolicy>, evaluator: PolicyEvaluator, signer: IdentitySigner,
        events: EventRecorder?, audit: AuditTrail, configuration: ActionRequestReconcilerConfiguration,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.client = client
        self.requests = requests
        self.reviews = reviews
        self.policies = policies
        self.evaluator = evaluator
        self.signer = signer
        self.authorizer = ReviewAuthorizer(client: client)
        self.events = events
        self.audit = audit
        self.configuration = configuration
        self.now = now
        self.logger = logger
        self.applier = GrantApplier(client: client, endpoint: configuration.credentialEndpoint)
        self.revoker = GrantRevoker(client: client, logger: logger)
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let request = requests.get(key) else {
            superseded.withLock { _ = $0.removeValue(forKey: key) }
            return .done
        }
        let version = request.metadata.resourceVersion ?? ""
        let stale = superseded.withLock { known in
            if known[key]?.contains(version) == true { return true }
            known.removeValue(forKey: key)
            return false
        }
        if stale { return .done }
        return try await Finalizer.reconcile(
            request, finalizer: AirlockConstants.revokeGrantsFinalizer, client: client,
            apply: { try await self.advance($0, cachedVersion: version) }, cleanup: { try await self.cleanUp($0) })
    }

    // MARK: Phases

    private func advance(_ request: ActionRequest, cachedVersion: String) async throws -> ReconcileResult {
        var update = StatusUpdate(request: request, cachedVersion: cachedVersion, now: now())
        switch request.status?.phase {
        case .some(let phase) where phase.isTerminal:
            if let grants = request.status?.grants, !grants.isEmpty {
                try await revoker.revoke(grants: grants)
                update.status.grants = []
                try await write(update)
            }
            return .done
        case .granted:
            return try await advanceGranted(request, &update)
        case .pending, .none:
            return try await advancePending(request, &update)
        case .some:
            return .done
        }
    }

    private func advancePending(_ request: ActionRequest, _ update: inout StatusUpdate) async throws -> ReconcileResult
    {
        let verification = signer.verify(request)
        guard verification.isVerified else {
            return try await conclude(
                request, &update,
                Ending(
                    .denied, reason: "UntrustedIdentity", message: "not acted on: \(verification)", action: "Verify",
                    warning: true))
        }
        // A request that could never be granted (spec.subject naming someone else, a Role
        // without namespace) is refused now, not after reviewers spent time on it.
        do {
            _ = try planner.plan(request: request, duration: request.spec.duration, now: update.now)
        } catch let error as GrantPlanError {
            return try await conclude(
                request, &update,
                Ending(.denied, reason: "InvalidRequest", message: error.message, action: "Evaluate", warning: true))
        }
        let evaluation = evaluator.evaluate(request: request, policies: policies.list())
        let decisionChanged = update.status.decision != evaluation.policyDecision
        update.status.decision = evaluation.policyDecision
        update.condition(
            AirlockConstants.ConditionType.evaluated, true,
            reason: evaluation.denyReason?.rawValue ?? evaluation.outcome.rawValue, message: evaluation.message)
        if decisionChanged {
            await record(
                request, event: "evaluated", outcome: evaluation.outcome.rawValue, reason: evaluation.message,
                policies: evaluation.policies)
        }

        switch evaluation {
        case .deny(let reason, let message, _):
            return try await conclude(
                request, &update,
                Ending(
                    .denied, reason: reason.rawValue, message: message, action: "Evaluate",
                    policies: evaluation.policies))
        case .autoApprove:
            update.condition(
                AirlockConstants.ConditionType.approved, true, reason: "AutoApproved", message: evaluation.message)
            return try await grant(request, duration: request.spec.duration, update: &update, by: "policy")
        case .requireApproval(let requirements):
            if update.status.phase != .pending {
                update.status.phase = .pending
                update.status.pendingDeadline = update.now.addingTimeInterval(
                    Double(requirements.pendingTimeout.seconds))
                events?.record(
                    request, type: .normal, reason: "ApprovalRequired", action: "Evaluate", note: evaluation.message)
            }
            return try await tallyPending(request, requirements: requirements, update: &update)
        }
    }

    private func tallyPending(
        _ request: ActionRequest, requirements: ApprovalRequirements, update: inout StatusUpdate
    ) async throws -> ReconcileResult {
        let tally = ReviewTally(
            request: request, ephemeralServiceAccount: ephemeralUsername(request), requirements: requirements,
            phase: .pending)
        let result = tally.tally(try await candidates(for: request, excluding: []))
        await report(result.verdicts, of: request, known: request.status?.reviews ?? [])
        update.status.reviews = result.verdicts.map(\.record)

        switch result.outcome {
        case .approved(let duration):
            update.condition(
                AirlockConstants.ConditionType.approved, true, reason: "Approved",
                message:
                    "approved by \(result.verdicts.filter { $0.counted && $0.review.decision == .approve }.map(\.review.effectiveReviewer).joined(separator: ", "))"
            )
            return try await grant(request, duration: duration, update: &update, by: "reviewers")
        case .denied(let reviewer):
            update.condition(
                AirlockConstants.ConditionType.approved, false, reason: "DeniedByReviewer",
                message: "denied by \(reviewer)")
            return try await conclude(
                request, &update,
                Ending(
                    .denied, reason: "DeniedByReviewer", message: "denied by \(reviewer)", action: "Review",
                    actor: reviewer))
        case .revoked(let by):
            return try await conclude(
                request, &update,
                Ending(
                    .revoked, reason: "Withdrawn", message: "withdrawn by \(by) before it was granted",
                    action: "Revoke", actor: by))
        case .pending, .unchanged:
            let deadline = update.status.pendingDeadline ?? update.now
            if update.now >= deadline {
                return try await conclude(
                    request, &update,
                    Ending(
                        .expired, reason: "NotReviewed",
                        message:
                            "no decision before the pending deadline \(RFC3339.format(deadline, fractional: false))",
                        action: "Expire"))
            }
            if case .pending(let approvals, let required) = result.outcome {
                update.condition(
                    AirlockConstants.ConditionType.approved, false, reason: "WaitingForApprovals",
                    message: "\(approvals) of \(required) approvals")
            }
            try await write(update)
            return .requeue(after: Self.delay(until: deadline, from: now()))
        }
    }

    private func advanceGranted(_ request: ActionRequest, _ update: inout StatusUpdate) async throws -> ReconcileResult
    {
        let expiresAt = update.status.expiresAt ?? update.now
        if update.now >= expiresAt {
            try await revoker.revoke(grants: request.status?.grants ?? [])
            update.status.grants = []
            update.condition(
                AirlockConstants.ConditionType.granted, false, reason: "Expired", message: "access ended at expiry")
            return try await conclude(
                request, &update,
                Ending(
                    .expired, reason: "DurationElapsed",
                    message: "access expired at \(RFC3339.format(expiresAt, fractional: false)); grants removed",
                    action: "Revoke"))
        }
        // Only reviews not judged yet: earlier approvals are not re-judged as Granted.
        let known = Set((request.status?.reviews ?? []).compactMap(\.review))
        let fresh = try await candidates(for: request, excluding: known)
        if !fresh.isEmpty {
            let requirements =
                evaluator.evaluate(request: request, policies: policies.list()).approvalRequirements
                ?? ApprovalRequirements(
                    requiredApprovals: 1, maxDuration: request.spec.duration, pendingTimeout: request.spec.duration)
            let tally = ReviewTally(
                request: request, ephemeralServiceAccount: ephemeralUsername(request), requirements: requirements,
                phase: .granted)
            let result = tally.tally(fresh)
            await report(result.verdicts, of: request, known: request.status?.reviews ?? [])
            update.status.reviews = (request.status?.reviews ?? []) + result.verdicts.map(\.record)
            if case .revoked(let by) = result.outcome {
                try await revoker.revoke(grants: request.status?.grants ?? [])
                update.status.grants = []
                update.condition(
                    AirlockConstants.ConditionType.granted, false, reason: "Revoked", message: "revoked by \(by)")
                return try await conclude(
                    request, &update,
                    Ending(
                        .revoked, reason: "RevokedByReview", message: "revoked by \(by)", action: "Revoke", actor: by))
            }
            try await write(update)
        }
        return .requeue(after: Self.delay(until: expiresAt, from: now()))
    }

    private func grant(
        _ request: ActionRequest, duration: KubeDuration, update: inout StatusUpdate, by: String
    ) async throws -> ReconcileResult {
        let plan: GrantPlan
        let refs: [GrantRef]
        do {
            plan = try planner.plan(request: request, duration: duration, now: update.now)
            refs = try await applier.apply(plan, for: request)
        } catch let error as GrantPlanError {
            return try await fail(request, update: &update, message: error.message)
        } catch let error as KubernetesError where error.isForbidden || error.isInvalid {
            return try await fail(
                request, update: &update, message: "the API server refused a grant object: \(error.message)")
        }
        update.status.phase = .granted
        update.status.grantedAt = update.now
        update.status.expiresAt = plan.expiresAt
        update.status.grants = refs
        update.status.credentialSecretName = plan.credentialSecretName
        update.condition(
            AirlockConstants.ConditionType.granted, true, reason: "AccessGranted",
            message: "access granted for \(duration) until \(RFC3339.format(plan.expiresAt, fractional: false))")
        try await write(update)
        events?.record(
            request, type: .normal, reason: "Granted", action: "Grant",
            note: "granted for \(duration) (\(refs.count) objects)")
        await record(
            request, event: "granted", outcome: "Granted", reason: "approved by \(by) for \(duration)",
            policies: request.status?.decision?.policies ?? update.status.decision?.policies)
        return .requeue(after: Self.delay(until: plan.expiresAt, from: now()))
    }

    /// Ends the request: final phase and condition, one status write, an Event and an audit line.
    private func conclude(
        _ request: ActionRequest, _ update: inout StatusUpdate, _ ending: Ending
    ) async throws -> ReconcileResult {
        update.status.phase = ending.phase
        update.condition(ending.condition, ending.phase != .failed, reason: ending.reason, message: ending.message)
        try await write(update)
        events?.record(
            request, type: ending.warning ? .warning : .normal, reason: ending.reason, action: ending.action,
            note: ending.message)
        await record(
            request, event: ending.phase.rawValue.lowercased(), actor: ending.actor, outcome: ending.phase.rawValue,
            reason: "\(ending.reason): \(ending.message)", policies: ending.policies)
        return .done
    }

    /// A grant that cannot be made: whatever was created is removed, the request is Failed.
    private func fail(
        _ request: ActionRequest, update: inout StatusUpdate, message: String
    ) async throws -> ReconcileResult {
        try await revoker.revoke(requestUID: request.metadata.uid ?? "")
        update.status.grants = []
        return try await conclude(
            request, &update, Ending(.failed, reason: "GrantFailed", message: message, action: "Grant", warning: true))
    }

    /// The finalizer's cleanup: grants go before the request does.
    private func cleanUp(_ request: ActionRequest) async throws {
        let removed = try await revoker.revoke(requestUID: request.metadata.uid ?? "")
        if request.status?.phase == .granted || removed > 0 {
            await record(
                request, event: "revoked", outcome: "Revoked",
                reason: "request deleted; \(removed) grant objects removed")
        }
    }

    // MARK: Reviews

    private func candidates(for request: ActionRequest, excluding known: Set<String>) async throws -> [ReviewCandidate]
    {
        let namespace = request.metadata.namespace ?? ""
        let name = request.metadata.name ?? ""
        var candidates: [ReviewCandidate] = []
        for review in reviews.list(namespace: namespace) where review.spec.request == name {
            let reviewName = review.metadata.name ?? ""
            guard !known.contains(reviewName) else { continue }
            let verified = signer.verify(review).isVerified
            let permitted =
                review.spec.onBehalfOf == nil || review.spec.reviewer?.username == configuration.controllerUsername
            var candidate = ReviewCandidate(
                name: reviewName, reviewer: review.spec.reviewer ?? Identity(username: ""),
                onBehalfOf: review.spec.onBehalfOf,
                onBehalfOfPermitted: permitted, decision: review.spec.decision, duration: review.spec.duration,
                comment: review.spec.comment,
                channel: review.spec.onBehalfOf?.channel ?? AirlockConstants.Channel.kubernetes,
                signatureVerified: verified, approveAllowed: nil,
                at: review.metadata.creationTimestamp ?? Date.distantPast)
            let identity = candidate.effectiveIdentity
            if verified, permitted, !identity.username.isEmpty, identity.username != request.spec.requester?.username {
                candidate.approveAllowed = try await authorizer.mayApprove(
                    identity, namespace: namespace, request: name, reviewUID: review.metadata.uid ?? reviewName)
            }
            candidates.append(candidate)
        }
        return candidates
    }

    /// Events, audit lines and the review's own status, for reviews judged for the first time.
    private func report(_ verdicts: [ReviewVerdict], of request: ActionRequest, known: [ReviewRecord]) async {
        let seen = Set(known.compactMap(\.review))
        for verdict in verdicts where !seen.contains(verdict.review.name) {
            await markReview(verdict, namespace: request.metadata.namespace)
            if verdict.counted {
                await record(
                    request, event: "reviewed", actor: verdict.review.effectiveReviewer,
                    channel: verdict.review.channel, outcome: verdict.review.decision.rawValue,
                    reason: verdict.review.comment)
            } else {
                let reason = verdict.rejection?.rawValue ?? "Rejected"
                events?.record(
                    request, type: .warning, reason: "ReviewRejected", action: "Review",
                    note:
                        "review \(verdict.review.name) by \(verdict.review.effectiveReviewer) rejected: \(reason): \(verdict.message)"
                )
                await record(
                    request, event: "review-rejected", actor: verdict.review.effectiveReviewer,
                    channel: verdict.review.channel, outcome: reason, reason: verdict.message)
            }
        }
    }

    /// Writes the verdict into the ActionReview's status (its COUNTED column).
    private func markReview(_ verdict: ReviewVerdict, namespace: String?) async {
        guard var review = reviews.get(name: verdict.review.name, namespace: namespace) else { return }
        review.status = ActionReviewStatus(
            counted: verdict.counted, reason: verdict.counted ? "Counted" : verdict.record.rejectedReason,
            observedGeneration: review.metadata.generation)
        do {
            _ = try await client.updateStatus(review)
        } catch {
            // The request's status.reviews holds the verdict too; this copy is for convenience.
            logger.warning("could not write the status of review \(review.key): \(error)")
        }
    }

    private func ephemeralUsername(_ request: ActionRequest) -> String? {
        guard request.spec.effectiveCredential == .ephemeral, let namespace = request.metadata.namespace,
            let name = request.metadata.name, let uid = request.metadata.uid
        else { return nil }
        return ServiceAccountUsername.username(
            namespace: namespace, name: GrantPlanner.objectName(request: name, uid: uid, purpose: "grantee"))
    }

    // MARK: Writing

    private func write(_ update: StatusUpdate) async throws {
        var request = update.request
        request.status = update.status
        request.status?.observedGeneration = request.metadata.generation
        // An unchanged status is not written: it would not even move the resourceVersion.
        guard request.status != update.request.status else { return }
        let written = try await client.updateStatus(request)
        // The version read from the cache and the one written over (after a finalizer patch
        // they differ) are now behind; the version just written is not.
        var behind: Set<String> = [update.cachedVersion, request.metadata.resourceVersion ?? ""]
        behind.remove(written.metadata.resourceVersion ?? "")
        superseded.withLock { $0[request.key] = behind.isEmpty ? nil : behind }
    }

    private func record(
        _ request: ActionRequest, event: String, actor: String? = nil, channel: String? = nil, outcome: String,
        reason: String?, policies: [String]? = nil
    ) async {
        await audit.record(
            AuditRecord(
                time: now(), event: event, request: request.key.description, requestUID: request.metadata.uid,
                actor: actor, requester: request.spec.requester?.username,
                policy: policies ?? request.status?.decision?.policies, channel: channel, outcome: outcome,
                reason: reason))
    }

    static func delay(until deadline: Date, from now: Date) -> Duration {
        // Rounded up: an early wake-up would only requeue again.
        .milliseconds(max(0, Int64((deadline.timeIntervalSince(now) * 1000).rounded(.up))) + 1)
    }
}

/// The status being built during one reconcile.
struct StatusUpdate {
    let request: ActionRequest
    /// The resourceVersion the reconcile found in the cache.
    let cachedVersion: String
    let now: Date
    var status: ActionRequestStatus

    init(request: ActionRequest, cachedVersion: String, now: Date) {
        self.request = request
        self.cachedVersion = cachedVersion
        self.now = now
        self.status = request.status ?? ActionRequestStatus()
    }

    mutating func condition(_ type: String, _ value: Bool, reason: String, message: String) {
        var conditions = status.conditions ?? []
        conditions.set(
            Condition(
                type: type, status: value ? "True" : "False", observedGeneration: request.metadata.generation,
                lastTransitionTime: now, reason: reason, message: message.isEmpty ? reason : message))
        status.conditions = conditions
    }

}

/// How a request ends: the phase, the condition's reason and message (also the Event's and the
/// audit line's), and who caused it.
struct Ending {
    var phase: ActionRequestPhase
    var reason: String
    var message: String
    var action: String
    var warning = false
    var actor: String?
    var policies: [String]?

    init(
        _ phase: ActionRequestPhase, reason: String, message: String, action: String, warning: Bool = false,
        actor: String? = nil, policies: [String]? = nil
    ) {
        self.phase = phase
        self.reason = reason
        self.message = message
        self.action = action
        self.warning = warning
        self.actor = actor
        self.policies = policies
    }

    /// The condition a final phase sets: its own, or `Granted=False` for a failed grant.
    var condition: String {
        switch phase {
        case .denied: AirlockConstants.ConditionType.denied
        case .expired: AirlockConstants.ConditionType.expired
        case .revoked: AirlockConstants.ConditionType.revoked
        case .failed, .granted, .pending: AirlockConstants.ConditionType.granted
        }
    }
}
