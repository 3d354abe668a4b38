import AirlockAPI
import Foundation
import KubeCore
import KubeRuntime

/// What ``ActionRequestLifecycle`` decided: effects to perform, the status to write after
/// them, and what to announce once that status is written.
///
/// The reconciler performs `effects` in order, writes `status` (if it differs from the
/// cached one), and only then emits `announcements` (audit lines, Events) and writes
/// `reviewStatuses`. A failed effect or write emits nothing: the next pass decides again.
public struct LifecycleStep: Sendable, Equatable {
    public var effects: [LifecycleEffect]
    /// The status to write after the effects (for `.grant`, the reconciler fills
    /// `grants` with the uids of what it made).
    public var status: ActionRequestStatus
    /// Audit records and Events made true by `status`, each with its idempotency key.
    public var announcements: [Announcement]
    /// Verdict copies for reviews judged in this step (`ActionReview.status`), by review name.
    public var reviewStatuses: [String: ActionReviewStatus]
    /// When to look again (expiry, the pending deadline); nil: only on change.
    public var wakeAt: Date?
    /// Whether the step ended access only (an expired grant's bindings), and the rest (the
    /// other objects, the `Expired` status) follows in the step at `wakeAt`.
    public var followUp = false
    /// The work-queue lane of the wake-up: the rest of an expiry is cleanup, which waits while
    /// other grants' access is being ended (`.background`); other timed work is urgent.
    public var wakePriority: WorkQueuePriority { followUp ? .background : .urgent }

    public init(
        effects: [LifecycleEffect] = [], status: ActionRequestStatus, announcements: [Announcement] = [],
        reviewStatuses: [String: ActionReviewStatus] = [:], wakeAt: Date? = nil, followUp: Bool = false
    ) {
        self.effects = effects
        self.status = status
        self.announcements = announcements
        self.reviewStatuses = reviewStatuses
        self.wakeAt = wakeAt
        self.followUp = followUp
    }

    /// The plan of the step's grant, if it grants.
    public var grantPlan: GrantPlan? {
        for case .grant(let plan) in effects { return plan }
        return nil
    }
}

/// An effect on the cluster, performed before the status write.
public enum LifecycleEffect: Sendable, Equatable {
    /// Create the plan's objects (idempotently); their refs go into `status.grants`.
    case grant(GrantPlan)
    /// Delete these objects: the recorded grants that are in the request's own plan (by name,
    /// guarded by their uid).
    case revoke([GrantRef])
    /// Find and delete whatever carries the request's uid label: after a grant attempt that
    /// may have made part of its objects.
    case removeLeftovers

    /// Whether it takes access away (`revoke`, `removeLeftovers`).
    public var endsAccess: Bool {
        if case .grant = self { false } else { true }
    }
}

/// Something people read that a status makes true: an audit record and, for most, an Event.
/// `key` (request uid + what happened) makes emitting it idempotent.
public struct Announcement: Sendable, Hashable {
    public var key: String
    public var audit: AuditRecord?
    public var event: EventNote?

    public init(key: String, audit: AuditRecord?, event: EventNote?) {
        self.key = key
        self.audit = audit
        self.event = event
    }
}

/// The parts of an Event besides the object it regards.
public struct EventNote: Sendable, Hashable {
    public var warning: Bool
    public var reason: String
    public var action: String
    public var note: String
    /// When it happened (the transition time in the status).
    public var time: Date

    public init(warning: Bool, reason: String, action: String, note: String, time: Date) {
        self.warning = warning
        self.reason = reason
        self.action = action
        self.note = note
        self.time = time
    }
}
