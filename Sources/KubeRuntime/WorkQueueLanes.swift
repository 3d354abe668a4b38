/// The lanes of a ``WorkQueue``: which ready key goes out next. Urgent keys first, then normal
/// ones, then background ones — background keys only while no urgent key is being processed
/// (or once one has waited long enough), so that cleanup never competes with timed work for
/// workers or the API server; and at most `maxBackgroundInFlight` of them at once, so that
/// cleanup held back through a wave of expiries trickles out after it instead of taking every
/// worker (and as many API connections) in one go.
///
/// Each lane is a FIFO. A key moved to another lane leaves a stale copy behind, which is
/// skipped when it comes up (the queue says whether a key is still ready).
struct WorkQueueLanes<Key: Hashable & Sendable> {
    private var urgent = FIFO<Key>()
    private var normal = FIFO<Key>()
    private var background = FIFO<Key>()
    /// Keys that go to the urgent lane when queued (added urgent, not yet handed out).
    private var urgentKeys: Set<Key> = []
    /// Keys that go to the background lane when queued: added as background only.
    private var backgroundKeys: Set<Key> = []
    /// Keys whose live entry is in the background lane.
    private var inBackground: Set<Key> = []
    /// Keys handed out from the urgent lane and not yet done.
    private var urgentInFlight: Set<Key> = []
    /// Keys handed out from the background lane and not yet done.
    private var backgroundInFlight: Set<Key> = []
    /// The most background keys handed out at once (but while shutting down).
    let maxBackgroundInFlight: Int

    init(maxBackgroundInFlight: Int) {
        precondition(maxBackgroundInFlight > 0, "background keys need at least one slot")
        self.maxBackgroundInFlight = maxBackgroundInFlight
    }

    /// Entries in the lanes, stale copies included.
    var count: Int { urgent.count + normal.count + background.count }

    /// Records the lane `priority` asks for `key`. `isPending`: the key already waits (or
    /// will, after its processing) in a lane; background never moves it down.
    mutating func mark(_ key: Key, _ priority: WorkQueuePriority, isPending: Bool) {
        switch priority {
        case .urgent:
            urgentKeys.insert(key)
            backgroundKeys.remove(key)
        case .normal:
            backgroundKeys.remove(key)
        case .background:
            if !isPending, !urgentKeys.contains(key) { backgroundKeys.insert(key) }
        }
    }

    /// Appends a ready key to its lane.
    mutating func enqueue(_ key: Key) {
        if urgentKeys.contains(key) {
            urgent.append(key)
        } else if backgroundKeys.contains(key) {
            background.append(key)
            inBackground.insert(key)
        } else {
            normal.append(key)
        }
    }

    /// A queued key was added again: moves it up to the lane it now belongs to.
    mutating func promote(_ key: Key) {
        if urgentKeys.contains(key) {
            urgent.append(key)
            inBackground.remove(key)
        } else if !backgroundKeys.contains(key), inBackground.remove(key) != nil {
            normal.append(key)
        }
    }

    /// Takes the next key to hand out. `isReady` tells a live entry from a stale copy;
    /// `hasWaitedEnough` lets a background key go while urgent work is in flight; `draining`
    /// (shutting down) lifts the background limit.
    mutating func pop(isReady: (Key) -> Bool, hasWaitedEnough: (Key) -> Bool, draining: Bool = false) -> Key? {
        while let key = urgent.popFirst() ?? normal.popFirst() {
            if isReady(key) { return take(key) }
        }
        while let key = background.first {
            guard isReady(key), inBackground.contains(key) else {
                _ = background.popFirst()
                continue
            }
            guard draining || backgroundInFlight.count < maxBackgroundInFlight,
                urgentInFlight.isEmpty || hasWaitedEnough(key)
            else { return nil }
            _ = background.popFirst()
            backgroundInFlight.insert(key)
            return take(key)
        }
        return nil
    }

    /// The processing of `key` ended.
    mutating func finished(_ key: Key) {
        urgentInFlight.remove(key)
        backgroundInFlight.remove(key)
    }

    private mutating func take(_ key: Key) -> Key {
        if urgentKeys.remove(key) != nil { urgentInFlight.insert(key) }
        backgroundKeys.remove(key)
        inBackground.remove(key)
        return key
    }
}

/// The priorities of a ``WorkQueue``'s delayed keys, applied when they come due (not before:
/// until then a key is whatever else added it). Urgent wins over the others, normal over
/// background.
struct DelayedPriorities<Key: Hashable & Sendable> {
    private var urgent: Set<Key> = []
    private var background: Set<Key> = []

    /// A delayed add of `key` with `priority`.
    mutating func note(_ key: Key, _ priority: WorkQueuePriority) {
        switch priority {
        case .urgent:
            urgent.insert(key)
            background.remove(key)
        case .normal:
            background.remove(key)
        case .background:
            if !urgent.contains(key) { background.insert(key) }
        }
    }

    /// The priority `key` has now that it is due; forgets it.
    mutating func take(_ key: Key) -> WorkQueuePriority {
        let wasUrgent = urgent.remove(key) != nil
        let wasBackground = background.remove(key) != nil
        return wasUrgent ? .urgent : wasBackground ? .background : .normal
    }

    mutating func removeAll() {
        urgent.removeAll()
        background.removeAll()
    }
}
