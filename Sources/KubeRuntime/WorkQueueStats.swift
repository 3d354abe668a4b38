/// A work queue's counters at one moment, for tests, logs and metrics.
///
/// The queue also reports these to swift-metrics, labelled `name=<queue name>`:
/// `airlock_workqueue_depth` (gauge), `airlock_workqueue_adds_total` (counter),
/// `airlock_workqueue_queue_duration_seconds` (timer: from add to hand-out) and
/// `airlock_workqueue_retries_total` (counter of rate-limited re-adds).
public struct WorkQueueStats: Sendable, Hashable {
    /// Keys ready to be handed out.
    public var depth = 0
    /// Keys handed out and not yet `done`.
    public var processing = 0
    /// Keys waiting for a delay (delayed and rate-limited adds).
    public var delayed = 0
    /// `add` calls waiting for room in a full queue.
    public var blockedAdds = 0
    /// `get` calls waiting for a key.
    public var waitingWorkers = 0
    /// Keys accepted for processing (duplicates of queued keys do not count).
    public var addsTotal = 0
    /// Rate-limited re-adds (`addRateLimited`).
    public var retriesTotal = 0
    /// How many keys were handed out, and their total time in the queue.
    public var handedOut = 0
    public var queueDurationSum = Duration.zero

    public init() {}
}

/// What became of an add.
public enum WorkQueueAddResult: Sendable, Hashable {
    /// The key is now ready to be handed out.
    case queued
    /// The key was already waiting to be handed out: nothing changed.
    case alreadyQueued
    /// The key is being processed: it is marked dirty and re-queued when `done` is called.
    case deferred
    /// The key will be added when its delay has passed.
    case scheduled
    /// The queue is at its maximum depth (`tryAdd` only; `add` waits instead).
    case full
    /// The queue is shutting down and takes no new keys.
    case shutDown
    /// The task was cancelled while `add` waited for room.
    case cancelled
}

/// Which lane a key joins: urgent keys (timed work coming due) are handed out first, then
/// normal ones, then background ones.
public enum WorkQueuePriority: Sendable, Hashable {
    case normal
    case urgent
    /// Work that can wait (cleanup after access has ended): handed out only while no urgent key
    /// is queued or being processed, or once it has waited the queue's `maxBackgroundWait`.
    /// A normal or urgent add moves the key up.
    case background
}
