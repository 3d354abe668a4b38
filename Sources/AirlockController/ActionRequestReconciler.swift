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

/// The executor around ``ActionRequestLifecycle``: it observes (cache reads, signature checks,
/// SubjectAccessReviews, role and owner look-ups), asks the lifecycle for a step, performs the
/// step's effects (grant, revoke), writes the status, and only then announces (audit lines,
/// Events, verdict copies on reviews), each once by its idempotency key.
///
/// - A grant that fails is decided again with the failure in the observation: transient
///   failures are written as `GrantRetrying` and retried with backoff; terminal ones end the
///   request Failed.
/// - A write that fails (a conflict, the API server down) announces nothing: the next pass
///   decides again from what is stored.
/// - With a durable audit file, every pass also records what the status shows and the file
///   lacks (a crash between the write and the record).
/// - A finalizer removes the grants and the request's reviews before the request goes.
public final class ActionRequestReconciler: Reconciler {
    let client: KubernetesClient
    let requests: Store<ActionRequest>
    let reviews: Store<ActionReview>
    let policies: Store<ApprovalPolicy>
    let evaluator: PolicyEvaluator
    let signer: IdentitySigner
    let events: EventRecorder?
    let audit: AuditTrail
    let configuration: ActionRequestReconcilerConfiguration
    let clock: AnyWallClock
    let logger: Logger
    let lifecycle = ActionRequestLifecycle()
    let applier: GrantApplier
    let revoker: GrantRevoker
    let roles: RoleResolver
    let owners: OwnerLookup
    let authorizer: ReviewAuthorizer
    let integrity: AdmissionIntegrity?
    /// Per request, the resourceVersion our last write replaced: while the cache still shows
    /// it, the cache is behind our own write, and the watch event of the write will wake the
    /// key again. Acting on the stale copy would only repeat work and lose a 409.
    private let superseded = Mutex<[ObjectKey: Set<String>]>([:])
    /// Per request, the reviews whose verdict copy this process wrote, by the resourceVersion
    /// the write replaced. The same for reviews: while the cache shows that version, the copy
    /// is on its way (its watch event wakes the request again), and writing it once more over
    /// that version could only lose a 409.
    private let copiesInFlight = Mutex<[ObjectKey: [String: String]]>([:])
    /// Requests whose recent Events this process has re-sent once (after a start).
    private let caughtUp = Mutex<Set<String>>([])
    /// Per request uid, how far this process got in deleting the bindings at expiry, until the
    /// request's final status is written.
    let expiries = Mutex<[String: ExpiryProgress]>([:])

    public init(
        client: KubernetesClient, requests: Store<ActionRequest>, reviews: Store<ActionReview>,
        policies: Store<ApprovalPolicy>, evaluator: PolicyEvaluator, signer: IdentitySigner,
        events: EventRecorder?, audit: AuditTrail, configuration: ActionRequestReconcilerConfiguration,
        integrity: AdmissionIntegrity? = nil, clock: AnyWallClock = .system, logger: Logger
    ) {
        self.client = client
        self.requests = requests
        self.reviews = reviews
        self.policies = policies
        self.evaluator = evaluator
        self.signer = signer
        self.events = events
        self.audit = audit
        self.configuration = configuration
        self.integrity = integrity
        self.clock = clock
        self.logger = logger
        self.applier = GrantApplier(
            client: client, endpoint: configuration.credentialEndpoint, now: { clock.date })
        self.revoker = GrantRevoker(client: client, logger: logger)
        self.roles = RoleResolver(client: client)
        self.owners = OwnerLookup(client: client)
        self.authorizer = ReviewAuthorizer(client: client)
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let request = requests.get(key) else {
            superseded.withLock { _ = $0.removeValue(forKey: key) }
            copiesInFlight.withLock { _ = $0.removeValue(forKey: key) }
            return .done
        }
        let version = request.metadata.resourceVersion ?? ""
        let stale = superseded.withLock { known in
            if known[key]?.contains(version) == true { return true }
            known.removeValue(forKey: key)
            return false
        }
        if stale { return .done }
        do {
            return try await Finalizer.reconcile(
                request, finalizer: AirlockConstants.revokeGrantsFinalizer, client: client,
                apply: { try await self.advance($0, cachedVersion: version) }, cleanup: { try await self.cleanUp($0) })
        } catch let error as KubernetesError where error.isConflict {
            // Written since the cache was read (the notifier recorded a delivery, someone edited
            // it): the watch brings the newer version, which is reconciled at once; failing that,
            // again in a second. Not a failure: a backoff doubling on each conflict kept a request
            // waiting for seconds while a failing chat channel kept recording its attempts.
            return .requeue(after: Self.conflictRetry)
        }
    }

    // MARK: One pass

    /// How soon a status write that met a newer version is tried again, if the watch has not
    /// brought that version by then.
    static let conflictRetry: Duration = .seconds(1)

    /// How soon a failed revocation is tried again (the work queue's urgent lane).
    static let revocationRetry: Duration = .seconds(1)

    private func advance(_ request: ActionRequest, cachedVersion: String) async throws -> ReconcileResult {
        var observation = try await observe(request)
        var step = lifecycle.step(observation)
        do {
            if let grants = try await perform(step.effects, for: request) { step.status.grants = grants }
        } catch let failure as GrantError {
            observation.grantFailure = failure
            step = lifecycle.step(observation)
            _ = try await perform(step.effects, for: request)
            try await write(step, of: request, cachedVersion: cachedVersion)
            await announce(step, of: request)
            // Still Pending: retried with backoff.
            if step.status.phase == .pending { throw failure }
            return .done
        } catch  where step.followUp {
            // The bindings could not be deleted: the next pass, right away, deletes every object
            // at once, so that what can go goes (a ServiceAccount, and every token with it).
            logger.warning("removing the bindings of \(request.key) failed; removing every grant object: \(error)")
            expiries.withLock { $0[request.metadata.uid ?? ""] = .bindingsFailed }
            return .requeue(after: .zero)
        } catch  where step.effects.contains(where: \.endsAccess) {
            // Access must end on time: a failed revocation is tried again within a second, not
            // after a per-key backoff that a run of failures (403s while a restarted API server
            // fills its RBAC cache) doubles to many seconds.
            logger.warning("removing the grants of \(request.key) failed; again in \(Self.revocationRetry): \(error)")
            return .requeue(after: Self.revocationRetry)
        }
        let uid = request.metadata.uid ?? ""
        if step.followUp { expiries.withLock { $0[uid] = .bindingsRevoked } }
        try await write(step, of: request, cachedVersion: cachedVersion)
        if step.status.phase?.isTerminal == true { expiries.withLock { _ = $0.removeValue(forKey: uid) } }
        await announce(step, of: request)
        return step.wakeAt.map {
            .requeue(after: clock.wakeDelay(toward: $0) + .milliseconds(1), priority: step.wakePriority)
        } ?? .done
    }

    /// Performs the effects in order; returns the refs of the objects a grant made.
    private func perform(_ effects: [LifecycleEffect], for request: ActionRequest) async throws -> [GrantRef]? {
        let uid = request.metadata.uid ?? ""
        var made: [GrantRef]?
        for effect in effects {
            switch effect {
            case .grant(let plan):
                made = try await applier.apply(plan, for: request)
            case .revoke(let grants):
                try await revoker.revoke(grants: grants, requestUID: uid)
            case .removeLeftovers:
                let removed = try await revoker.revoke(requestUID: uid)
                if removed > 0 { logger.info("removed \(removed) objects of an unfinished grant of \(request.key)") }
            }
        }
        return made
    }

    /// The finalizer's cleanup: grants and the request's reviews go before the request does.
    private func cleanUp(_ request: ActionRequest) async throws {
        let uid = request.metadata.uid ?? ""
        let removed = try await revoker.revoke(requestUID: uid)
        try await deleteReviews(of: request)
        if request.status?.phase == .granted || removed > 0 {
            var record = Announcements.base(of: request)
            record.time = clock.date
            record.event = "revoked"
            record.outcome = ActionRequestPhase.revoked.rawValue
            record.reason = "request deleted; \(removed) grant objects removed"
            record.key = "\(uid)/deleted"
            await audit.record(record)
        }
        caughtUp.withLock { _ = $0.remove(uid) }
        expiries.withLock { _ = $0.removeValue(forKey: uid) }
    }

    private func deleteReviews(of request: ActionRequest) async throws {
        let uid = request.metadata.uid ?? ""
        let namespace = request.metadata.namespace
        try await client.deleteCollection(
            ActionReview.self, namespace: namespace,
            labelSelector: "\(AirlockConstants.Label.requestUID)=\(uid)")
        // Reviews made before they were labelled.
        for review in reviews.list(namespace: namespace)
        where review.spec.request == request.metadata.name && review.spec.requestUID == uid
            && review.metadata.labels?[AirlockConstants.Label.requestUID] == nil
        {
            do {
                try await client.delete(ActionReview.self, name: review.metadata.name ?? "", namespace: namespace)
            } catch let error as KubernetesError where error.isNotFound {}
        }
    }

    // MARK: Writing and announcing

    /// How many times a status write that met a newer version is put onto it (see ``rebase``).
    static let maxWriteAttempts = 3

    private func write(_ step: LifecycleStep, of request: ActionRequest, cachedVersion: String) async throws {
        var updated = request
        updated.status = step.status
        // An unchanged status is not written: it would not even move the resourceVersion.
        guard updated.status != request.status else { return }
        // The version read from the cache and those written over (after a finalizer patch or a
        // rebase they differ) are behind once this write lands; the version it makes is not.
        var behind: Set<String> = [cachedVersion]
        for attempt in 1... {
            behind.insert(updated.metadata.resourceVersion ?? "")
            do {
                let written = try await client.updateStatusMetadata(updated)
                behind.remove(written.resourceVersion ?? "")
                superseded.withLock { $0[request.key] = behind.isEmpty ? nil : behind }
                return
            } catch let error as KubernetesError where error.isConflict && attempt < Self.maxWriteAttempts {
                guard let rebased = try await rebase(updated, read: request) else { throw error }
                updated = rebased
            }
        }
    }

    /// `updated`'s status on the request's newest version — when that differs from the version
    /// the lifecycle decided on only by the notifier's delivery records, which the lifecycle
    /// neither reads nor writes; nil otherwise (a new pass decides on the newer version).
    ///
    /// While a chat channel fails, the notifier records every attempt: under load a pass that
    /// had to wait for that version's watch event could meet yet another record, again and again.
    private func rebase(_ updated: ActionRequest, read: ActionRequest) async throws -> ActionRequest? {
        let fresh = try await client.get(
            ActionRequest.self, name: read.metadata.name ?? "", namespace: read.metadata.namespace)
        guard ActionRequestLifecycle.differsOnlyInDeliveries(fresh, from: read) else { return nil }
        var rebased = fresh
        rebased.status = updated.status
        rebased.status?.notifications = fresh.status?.notifications
        return rebased
    }

    /// What the written status made true: audit records, Events, verdict copies — each once.
    private func announce(_ step: LifecycleStep, of request: ActionRequest) async {
        var updated = request
        updated.status = step.status
        for announcement in step.announcements {
            if let record = announcement.audit { await audit.record(record) }
            if let note = announcement.event { emit(note, about: request, key: announcement.key) }
        }
        let implied = Announcements.implied(by: updated)
        if audit.isDurable { await audit.catchUp(implied.compactMap(\.audit)) }
        let uid = request.metadata.uid ?? ""
        if caughtUp.withLock({ $0.insert(uid).inserted }) {
            // After a start: Events a crash may have kept from being sent (named by key, so
            // those sent already are not repeated). Only recent ones: Events expire anyway.
            // Not those this step just sent: each would cost a create answered 409.
            let recent = clock.date.addingTimeInterval(-600)
            let sent = Set(step.announcements.map(\.key))
            for announcement in implied where !sent.contains(announcement.key) {
                if let note = announcement.event, note.time > recent {
                    emit(note, about: request, key: announcement.key, catchUp: true)
                }
            }
        }
        await copyVerdicts(step.reviewStatuses, of: request)
    }

    /// Writes each verdict's copy on its review, unless the cache shows it there by now or this
    /// process wrote one over the version the cache still shows.
    private func copyVerdicts(_ copies: [String: ActionReviewStatus], of request: ActionRequest) async {
        let namespace = request.metadata.namespace
        var inFlight = copiesInFlight.withLock { $0[request.key] ?? [:] }.filter { name, version in
            reviews.get(name: name, namespace: namespace)?.metadata.resourceVersion == version
        }
        for (name, copy) in copies.sorted(by: { $0.key < $1.key }) {
            guard var review = reviews.get(name: name, namespace: namespace) else { continue }
            let version = review.metadata.resourceVersion ?? ""
            // Written meanwhile (the pass decided on an older version), or on its way.
            if review.status == copy || inFlight[name] == version { continue }
            review.status = copy
            do {
                _ = try await client.updateStatusMetadata(review)
                inFlight[name] = version
            } catch {
                // Level-based: the next pass writes the copy again.
                logger.warning("could not write the status of review \(review.key): \(error)")
            }
        }
        copiesInFlight.withLock { $0[request.key] = inFlight.isEmpty ? nil : inFlight }
    }

    private func emit(_ note: EventNote, about request: ActionRequest, key: String, catchUp: Bool = false) {
        events?.record(
            request, type: note.warning ? .warning : .normal, reason: note.reason, action: note.action,
            note: note.note, time: note.time, key: key, catchUp: catchUp)
    }
}
