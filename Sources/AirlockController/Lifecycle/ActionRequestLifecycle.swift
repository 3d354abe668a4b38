import AirlockAPI
import AirlockPolicy
import Foundation
import KubeCore

/// The decision core: one pure function from what was observed about an ActionRequest to what
/// happens next. No I/O and no clock of its own — the reconciler gathers a
/// ``LifecycleObservation``, asks for a ``LifecycleStep``, performs its effects, writes its
/// status and only then announces.
///
/// ```
///            ┌──────────── Denied (guardrail, policy, reviewer, untrusted, invalid)
///  (new) ──▶ Pending ──▶ Granted ──▶ Expired (duration elapsed)
///     │         │           └──────▶ Revoked (reviewer, or released by the requester)
///     │         ├──────────────────▶ Expired (not reviewed before the pending deadline)
///     │         ├──────────────────▶ Revoked (withdrawn by the requester)
///     └─────────┴──────────────────▶ Failed  (the API server refused a grant object)
/// ```
///
/// - **Pending** (or new): the requester's signature must verify; the roleRef is snapshotted
///   once; policies are evaluated on every pass (a tightened policy applies before anything is
///   granted, and the pending deadline is `creationTimestamp + pendingTimeout` of the current
///   decision); reviews are judged once each and their verdicts stored.
/// - **Granted**: at `expiresAt` (``revocationLead`` before it) the grants go; a counted Revoke
///   ends it early. Reviews are judged by the decision stored when it was granted.
/// - **Final phases**: any grant still recorded is removed; nothing else changes.
///
/// A grant attempt that fails is fed back in (``LifecycleObservation/grantFailure``): a
/// transient failure keeps the request Pending with `Granted=False` (`GrantRetrying`), a
/// terminal one ends it Failed. A request that may hold part of a grant removes it when it ends.
public struct ActionRequestLifecycle: Sendable {
    public init() {}

    /// Whether `newer` is `read` with only the notifier's delivery records
    /// (`status.notifications`) and the resourceVersion changed: what the lifecycle decided on
    /// `read` holds for it too.
    public static func differsOnlyInDeliveries(_ newer: ActionRequest, from read: ActionRequest) -> Bool {
        var newer = newer
        var read = read
        newer.metadata.resourceVersion = nil
        read.metadata.resourceVersion = nil
        newer.status?.notifications = nil
        read.status?.notifications = nil
        return newer == read
    }

    /// How long before `expiresAt` revocation starts, so the grant objects are gone by the
    /// approved end rather than after it: deleting them takes from a few milliseconds to a few
    /// hundred on a busy API server (docs/performance.md). Access ends at most this much early.
    public static let revocationLead: TimeInterval = 0.1

    /// How long after an expired grant's bindings the rest of it goes (its other objects, the
    /// `Expired` status): a burst of expiries (grants made in a burst end in one) meets an API
    /// server busy with the deletes that end access only, not also with Role deletes and
    /// status writes, which cost it more (docs/performance.md).
    public static let expiryFollowUp: TimeInterval = 1

    /// When access ending at `expiresAt` is revoked: ``revocationLead`` before it.
    public static func revocationTime(of expiresAt: Date) -> Date {
        expiresAt.addingTimeInterval(-revocationLead)
    }

    public func step(_ observation: LifecycleObservation) -> LifecycleStep {
        var draft = Draft(observation)
        switch observation.request.status?.phase {
        case .some(let phase) where phase.isTerminal: draft.finished()
        case .granted: draft.granted()
        case .pending, .none, .some: draft.pending()
        }
        return draft.finish()
    }

    /// The username of the ephemeral ServiceAccount a request's grant would use (nil for
    /// `credential: Subject`).
    public static func ephemeralUsername(of request: ActionRequest) -> String? {
        guard request.spec.effectiveCredential == .ephemeral, let namespace = request.metadata.namespace,
            let name = request.metadata.name, let uid = request.metadata.uid
        else { return nil }
        return ServiceAccountUsername.username(
            namespace: namespace, name: GrantPlanner.objectName(request: name, uid: uid, purpose: "grantee"))
    }

    /// The tally a request's reviews are judged by in `phase`.
    public static func tally(
        for request: ActionRequest, requirements: ApprovalRequirements, phase: ActionRequestPhase,
        requesterOwner: String? = nil
    ) -> ReviewTally {
        var tally = ReviewTally(
            request: request, ephemeralServiceAccount: ephemeralUsername(of: request), requirements: requirements,
            phase: phase)
        if let owner = requesterOwner ?? request.status?.requesterOwner, !owner.isEmpty {
            tally.requesterOwner = owner
        }
        return tally
    }

    /// The requirements reviews of a Granted request are judged by: the stored decision's.
    public static func grantedRequirements(of request: ActionRequest) -> ApprovalRequirements {
        request.status?.decision.flatMap(ApprovalRequirements.init(decision:))
            ?? ApprovalRequirements(
                requiredApprovals: 1, maxDuration: request.spec.duration, pendingTimeout: request.spec.duration)
    }
}

/// The status being built by one step, with the effects and announcements that go with it.
struct Draft {
    let observation: LifecycleObservation
    let planner = GrantPlanner()
    var status: ActionRequestStatus
    var effects: [LifecycleEffect] = []
    var extraAnnouncements: [Announcement] = []
    var reviewStatuses: [String: ActionReviewStatus] = [:]
    var wakeAt: Date?
    var followUp = false

    init(_ observation: LifecycleObservation) {
        self.observation = observation
        self.status = observation.request.status ?? ActionRequestStatus()
    }

    var request: ActionRequest { observation.request }
    var now: Date { observation.now }

    /// Whether an earlier grant attempt failed part-way (the status says it is being retried):
    /// objects of it may exist.
    var mayHoldPartialGrant: Bool {
        request.status?.conditions?[type: AirlockConstants.ConditionType.granted]?.reason == Reasons.grantRetrying
    }

    // MARK: Conditions and endings

    mutating func condition(_ type: String, _ value: Bool, reason: String, message: String) {
        var conditions = status.conditions ?? []
        conditions.set(
            Condition(
                type: type, status: value ? "True" : "False", observedGeneration: request.metadata.generation,
                lastTransitionTime: now, reason: reason, message: message.isEmpty ? reason : message))
        status.conditions = conditions
    }

    /// Ends the request: the final phase and its condition (`Granted=False` for Failed).
    mutating func conclude(_ phase: ActionRequestPhase, reason: String, message: String, removeLeftovers: Bool = false)
    {
        if removeLeftovers && !effects.contains(.removeLeftovers) { effects.append(.removeLeftovers) }
        // A grant being retried is not any more: say so instead of "retried".
        if phase != .failed,
            status.conditions?[type: AirlockConstants.ConditionType.granted]?.reason == Reasons.grantRetrying
        {
            condition(
                AirlockConstants.ConditionType.granted, false, reason: "NotGranted",
                message: "the request ended before its grant was made; what was made is removed")
        }
        status.phase = phase
        let type: String
        switch phase {
        case .denied: type = AirlockConstants.ConditionType.denied
        case .expired: type = AirlockConstants.ConditionType.expired
        case .revoked: type = AirlockConstants.ConditionType.revoked
        case .failed, .granted, .pending: type = AirlockConstants.ConditionType.granted
        }
        condition(type, phase != .failed, reason: reason, message: message)
        wakeAt = nil
    }

    /// Removes the recorded grants (or, if none are recorded, whatever carries the request's uid);
    /// the bindings only if this process has not deleted them already. `own`: ``ownGrants()``,
    /// when the caller has it already.
    mutating func revokeGrants(own: [GrantRef]? = nil) {
        let grants = own ?? ownGrants()
        let remaining = observation.expiry == .bindingsRevoked ? grants.filter { !$0.isBinding } : grants
        if grants.isEmpty {
            effects.append(.removeLeftovers)
        } else if !remaining.isEmpty {
            effects.append(.revoke(remaining))
        }
        status.grants = []
    }

    /// The recorded grants that are objects Airlock makes for this request — the status says
    /// *where* to delete, the request's own plan says *what*: a ref someone added to the status
    /// (an unrelated RoleBinding, say) is not among them and is never deleted. Falls back to
    /// nothing (and so to finding objects by the request's uid label) when no plan can be made.
    func ownGrants() -> [GrantRef] {
        guard
            let plan = try? planner.plan(
                request: request, duration: request.spec.duration, now: now, role: status.roleSnapshot)
        else { return [] }
        let planned = Set(plan.objectRefs.map { "\($0.kind)/\($0.namespace ?? "")/\($0.name)" })
        return (status.grants ?? []).filter { planned.contains("\($0.kind)/\($0.namespace ?? "")/\($0.name)") }
    }

    // MARK: Final phases

    mutating func finished() {
        if let grants = status.grants, !grants.isEmpty {
            let own = ownGrants()
            effects.append(own.isEmpty ? .removeLeftovers : .revoke(own))
            status.grants = []
        }
    }

    // MARK: Granted

    mutating func granted() {
        let expiresAt = status.expiresAt ?? now
        let revokeAt = ActionRequestLifecycle.revocationTime(of: expiresAt)
        if now >= revokeAt {
            // Access ends with the bindings: they go first, on their own; the other objects and
            // the `Expired` status follow a moment later (``expiryFollowUp``).
            let own = ownGrants()
            let bindings = own.filter(\.isBinding)
            if observation.expiry == .notStarted, !bindings.isEmpty, bindings.count < own.count {
                effects.append(.revoke(bindings))
                followUp = true
                wakeAt = now.addingTimeInterval(ActionRequestLifecycle.expiryFollowUp)
                return
            }
            revokeGrants(own: own)
            condition(
                AirlockConstants.ConditionType.granted, false, reason: "Expired", message: "access ended at expiry")
            conclude(
                .expired, reason: "DurationElapsed",
                message: "access expired at \(RFC3339.format(expiresAt, fractional: false)); grants removed")
            return
        }
        wakeAt = revokeAt
        let tally = ActionRequestLifecycle.tally(
            for: request, requirements: ActionRequestLifecycle.grantedRequirements(of: request), phase: .granted)
        let result = judge(tally)
        if case .revoked(let by) = result.outcome {
            revokeGrants()
            condition(AirlockConstants.ConditionType.granted, false, reason: "Revoked", message: "revoked by \(by)")
            let released = tally.isRequester(by)
            conclude(
                .revoked, reason: released ? "Released" : "RevokedByReview",
                message: released ? "released by \(by)" : "revoked by \(by)")
        }
    }

    // MARK: Finish

    /// The step: observed generation, the `Decided` condition, and what the new status
    /// announces beyond what the cached one already did.
    mutating func finish() -> LifecycleStep {
        status.observedGeneration = request.metadata.generation
        let phase = status.phase ?? .pending
        if phase == .pending {
            if status.conditions?[type: AirlockConstants.ConditionType.decided] == nil {
                condition(
                    AirlockConstants.ConditionType.decided, false, reason: "Pending", message: "waiting for a decision")
            }
        } else {
            let ending = Announcements.ending(of: status, phase: phase)
            condition(
                AirlockConstants.ConditionType.decided, true, reason: phase.rawValue,
                message: ending?.message ?? phase.rawValue)
        }
        var updated = request
        updated.status = status
        let before = Set(Announcements.implied(by: request).map(\.key))
        let announcements = Announcements.implied(by: updated).filter { !before.contains($0.key) }
        let listed = Set(announcements.map(\.key))
        return LifecycleStep(
            effects: effects, status: status,
            announcements: announcements + extraAnnouncements.filter { !listed.contains($0.key) },
            reviewStatuses: reviewStatuses, wakeAt: wakeAt, followUp: followUp)
    }
}

extension GrantRef {
    /// Whether it is a binding: deleting it ends the access it gives.
    var isBinding: Bool { kind == "RoleBinding" || kind == "ClusterRoleBinding" }
}

/// Condition reasons the lifecycle writes and reads back.
enum Reasons {
    static let grantRetrying = "GrantRetrying"
}
