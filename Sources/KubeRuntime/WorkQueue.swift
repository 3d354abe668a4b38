import Metrics

/// The queue between watch events and reconcile workers (client-go's rate-limited work queue).
///
/// - **Deduplicates**: a key added while it waits is not queued twice.
/// - **Exclusive**: a key is never handed to two workers at once. A key added while it is being
///   processed is marked dirty and re-queued when the worker calls `done(key)`.
/// - **Per-key backoff**: `addRateLimited(key)` re-adds after `rateLimit.delay(attempt: n)` for
///   the key's n-th consecutive failure (5 ms doubling to 1,000 s by default); `forget(key)`
///   after a success starts it over.
/// - **Delayed adds**: `add(key, after:)` on the injected clock (a `ManualClock` in tests).
///   A key scheduled twice keeps the earlier deadline.
/// - **Three lanes** (``WorkQueueLanes``): keys added `.urgent` (timed work coming due, such
///   as an expiry) are handed out before `.normal` ones, so a burst of new work never delays
///   them; `.background` ones (cleanup) go last, and only while no urgent key is being
///   processed or once they have waited `maxBackgroundWait`, at most `maxBackgroundInFlight`
///   at once (shutting down lifts the limit). A queued key added again with a
///   higher priority moves up. A delayed add has its priority when it comes due, whatever
///   happened to the key in between, and not before.
/// - **Bounded**: at most `maxDepth` keys wait to be handed out. `add` of a new key to a full
///   queue *waits* for room (backpressure towards the watch, whose stream is pull-based);
///   `tryAdd` reports `.full` instead. Re-queues of keys the queue already owns (a dirty key
///   at `done`, a delayed or rate-limited key coming due) are never refused, so a worker can
///   never deadlock on its own queue; they are bounded by the number of distinct keys.
/// - **Shutdown**: `shutDown()` refuses new keys, drops pending delays and wakes waiting adds;
///   keys already queued are still handed out, and `get()` returns nil once the queue is
///   empty. `shutDownWithDrain()` also waits until every queued and in-flight key is `done`
///   (so workers must keep calling `get()` until it returns nil).
///
/// A worker loop:
///
/// ```swift
/// while let key = await queue.get() {
///     do {
///         switch try await reconciler.reconcile(key) {
///         case .done: await queue.forget(key)
///         case .requeue(let delay, let priority):
///             await queue.forget(key); await queue.add(key, after: delay, priority: priority)
///         }
///     } catch {
///         await queue.addRateLimited(key)
///     }
///     await queue.done(key)
/// }
/// ```
public actor WorkQueue<Key: Hashable & Sendable, C: Clock> where C.Duration == Duration {
    /// The queue's name, used as the `name` metrics dimension.
    public nonisolated let name: String
    /// The most keys that wait to be handed out before `add` waits.
    public nonisolated let maxDepth: Int
    /// The per-key retry delays of `addRateLimited`.
    public nonisolated let rateLimit: ExponentialBackoff
    /// How long a background key that is due waits for urgent work to finish, at most (looked
    /// at whenever the queue changes: a key added or done).
    public nonisolated let maxBackgroundWait: Duration
    private let clock: C

    /// Keys ready to be handed out, by lane.
    private var lanes: WorkQueueLanes<Key>
    /// Keys that need processing: queued ones, and processing ones to re-queue at `done`.
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    /// When each dirty key was added, for the time-in-queue metric.
    private var addedAt: [Key: C.Instant] = [:]
    private var failures: [Key: Int] = [:]
    /// Keys waiting for a delay, with their deadline.
    private var delayed: [Key: C.Instant] = [:]
    /// The priorities delayed keys get when they come due.
    private var delayedPriorities = DelayedPriorities<Key>()
    private var timer: (id: Int, deadline: C.Instant, task: Task<Void, Never>)?
    private var getters: [(id: Int, continuation: CheckedContinuation<Key?, Never>)] = []
    private var blockedAdds: [(id: Int, key: Key, continuation: CheckedContinuation<WorkQueueAddResult, Never>)] = []
    private var drainWaiters: [(id: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var nextID = 0
    /// Whether `shutDown` was called.
    public private(set) var isShuttingDown = false
    private var counters = WorkQueueStats()

    private let depthGauge: Gauge
    private let addsCounter: Counter
    private let queueDurationTimer: Metrics.Timer
    private let retriesCounter: Counter

    /// A queue named `name` (for metrics) on `clock`.
    public init(
        name: String, maxDepth: Int = 10_000, rateLimit: ExponentialBackoff = .workQueueItem,
        maxBackgroundWait: Duration = .seconds(5), maxBackgroundInFlight: Int = 8, clock: C
    ) {
        precondition(maxDepth > 0, "a work queue needs a positive maximum depth")
        self.lanes = WorkQueueLanes(maxBackgroundInFlight: maxBackgroundInFlight)
        self.name = name
        self.maxDepth = maxDepth
        self.rateLimit = rateLimit
        self.maxBackgroundWait = maxBackgroundWait
        self.clock = clock
        let dimensions = [("name", name)]
        self.depthGauge = Gauge(label: "airlock_workqueue_depth", dimensions: dimensions)
        self.addsCounter = Counter(label: "airlock_workqueue_adds_total", dimensions: dimensions)
        self.queueDurationTimer = Metrics.Timer(
            label: "airlock_workqueue_queue_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
        self.retriesCounter = Counter(label: "airlock_workqueue_retries_total", dimensions: dimensions)
    }

    /// Keys ready to be handed out.
    public var depth: Int { dirty.filter { !processing.contains($0) }.count }

    /// The counters now.
    public var stats: WorkQueueStats {
        var stats = counters
        stats.depth = depth
        stats.processing = processing.count
        stats.delayed = delayed.count
        stats.blockedAdds = blockedAdds.count
        stats.waitingWorkers = getters.count
        return stats
    }

    /// How many consecutive failures `key` has had (rate-limited adds since the last `forget`).
    public func failureCount(for key: Key) -> Int { failures[key] ?? 0 }

    // MARK: Adding

    /// Adds `key`, waiting for room if it is new and the queue is full.
    @discardableResult
    public func add(_ key: Key, priority: WorkQueuePriority = .normal) async -> WorkQueueAddResult {
        if isShuttingDown { return .shutDown }
        lanes.mark(key, priority, isPending: dirty.contains(key))
        if dirty.contains(key) || processing.contains(key) || readyCount < maxDepth {
            return insertAndSettle(key)
        }
        if Task.isCancelled { return .cancelled }
        nextID += 1
        let id = nextID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                blockedAdds.append((id, key, continuation))
            }
        } onCancel: {
            Task { await self.cancelBlockedAdd(id) }
        }
    }

    /// Adds `key` without waiting: `.full` if it is new and the queue is full.
    @discardableResult
    public func tryAdd(_ key: Key, priority: WorkQueuePriority = .normal) -> WorkQueueAddResult {
        if isShuttingDown { return .shutDown }
        lanes.mark(key, priority, isPending: dirty.contains(key))
        if dirty.contains(key) || processing.contains(key) || readyCount < maxDepth {
            return insertAndSettle(key)
        }
        return .full
    }

    /// Adds `key` once `delay` has passed on the clock. If the key is already scheduled, the
    /// earlier deadline wins. A delay that is not positive is `tryAdd(key)`.
    @discardableResult
    public func add(_ key: Key, after delay: Duration, priority: WorkQueuePriority = .normal) -> WorkQueueAddResult {
        if isShuttingDown { return .shutDown }
        guard delay > .zero else { return tryAdd(key, priority: priority) }
        delayedPriorities.note(key, priority)
        let deadline = clock.now.advanced(by: delay)
        if let existing = delayed[key], existing <= deadline { return .scheduled }
        delayed[key] = deadline
        scheduleTimer()
        return .scheduled
    }

    /// Re-adds `key` after its next backoff delay (the key failed); returns the delay.
    @discardableResult
    public func addRateLimited(_ key: Key) -> Duration {
        let attempt = failures[key] ?? 0
        let delay = rateLimit.delay(attempt: attempt)
        guard !isShuttingDown else { return delay }
        failures[key] = attempt + 1
        counters.retriesTotal += 1
        retriesCounter.increment()
        add(key, after: delay)
        return delay
    }

    /// Forgets the failures of `key` (it succeeded): its next backoff starts from the base.
    public func forget(_ key: Key) {
        failures.removeValue(forKey: key)
    }

    // MARK: Processing

    /// The next key to process, waiting until one is ready. The key is exclusively the
    /// caller's until it calls `done(key)`. Returns nil once the queue is shut down and empty,
    /// or when the calling task is cancelled while it waits.
    public func get() async -> Key? {
        if let key = popReady() {
            settle()
            return key
        }
        if isShuttingDown || Task.isCancelled { return nil }
        nextID += 1
        let id = nextID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                getters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelGetter(id) }
        }
    }

    /// Ends the processing of `key`; re-queues it if it was added meanwhile.
    public func done(_ key: Key) {
        guard processing.remove(key) != nil else { return }
        lanes.finished(key)
        if dirty.contains(key) { lanes.enqueue(key) }
        settle()
    }

    // MARK: Shutdown

    /// Stops intake: new adds are refused, pending delays dropped, waiting adds answered
    /// `.shutDown`. Queued keys are still handed out; then `get()` returns nil.
    public func shutDown() {
        guard !isShuttingDown else { return }
        isShuttingDown = true
        timer?.task.cancel()
        timer = nil
        delayed.removeAll()
        delayedPriorities.removeAll()
        let blocked = blockedAdds
        blockedAdds.removeAll()
        for add in blocked { add.continuation.resume(returning: .shutDown) }
        settle()
    }

    /// `shutDown()`, then waits until every queued and in-flight key is done (workers must keep
    /// calling `get()` until it returns nil). Returns early if the calling task is cancelled.
    public func shutDownWithDrain() async {
        shutDown()
        if isDrained || Task.isCancelled { return }
        nextID += 1
        let id = nextID
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                drainWaiters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelDrainWaiter(id) }
        }
    }

    private var isDrained: Bool { dirty.isEmpty && processing.isEmpty }

    /// Whether a key waits to be handed out.
    private var hasReady: Bool { dirty.contains { !processing.contains($0) } }

    /// Keys waiting to be handed out (lingering copies of promoted keys included).
    private var readyCount: Int { lanes.count }

    // MARK: Internals

    /// Marks `key` dirty and queues it unless it is being processed. Ignores the bound.
    private func insert(_ key: Key) -> WorkQueueAddResult {
        if dirty.contains(key) {
            if processing.contains(key) { return .deferred }
            // Queued already: a higher priority moves it up (its old entry is skipped later).
            lanes.promote(key)
            return .alreadyQueued
        }
        dirty.insert(key)
        addedAt[key] = clock.now
        counters.addsTotal += 1
        addsCounter.increment()
        if processing.contains(key) { return .deferred }
        lanes.enqueue(key)
        return .queued
    }

    private func insertAndSettle(_ key: Key) -> WorkQueueAddResult {
        let result = insert(key)
        settle()
        return result
    }

    /// Takes the next ready key (``WorkQueueLanes``) and moves it to processing.
    private func popReady() -> Key? {
        let now = clock.now
        let key = lanes.pop(
            // A lingering copy of a key already handed out (or handed out and back) is skipped.
            isReady: { dirty.contains($0) && !processing.contains($0) },
            // While draining, nothing waits.
            hasWaitedEnough: { key in
                isShuttingDown || (addedAt[key].map { $0.duration(to: now) >= maxBackgroundWait } ?? true)
            }, draining: isShuttingDown)
        guard let key else { return nil }
        dirty.remove(key)
        processing.insert(key)
        if let added = addedAt.removeValue(forKey: key) {
            let waited = added.duration(to: clock.now)
            counters.handedOut += 1
            counters.queueDurationSum += waited
            queueDurationTimer.recordNanoseconds(waited.nanoseconds)
        }
        return key
    }

    /// Restores the invariants after any change: ready keys go to waiting workers, room goes to
    /// waiting adds, and shutdown and drain waiters are answered.
    private func settle() {
        var progressed = true
        while progressed {
            progressed = false
            while !getters.isEmpty, let key = popReady() {
                getters.removeFirst().continuation.resume(returning: key)
                progressed = true
            }
            while readyCount < maxDepth, !blockedAdds.isEmpty {
                let add = blockedAdds.removeFirst()
                add.continuation.resume(returning: insert(add.key))
                progressed = true
            }
        }
        if isShuttingDown, !hasReady, !getters.isEmpty {
            let waiting = getters
            getters.removeAll()
            for getter in waiting { getter.continuation.resume(returning: nil) }
        }
        if isShuttingDown, isDrained, !drainWaiters.isEmpty {
            let waiting = drainWaiters
            drainWaiters.removeAll()
            for waiter in waiting { waiter.continuation.resume() }
        }
        depthGauge.record(readyCount)
    }

    /// Keeps one timer task sleeping until the earliest delayed deadline.
    private func scheduleTimer() {
        guard let earliest = delayed.values.min() else {
            timer?.task.cancel()
            timer = nil
            return
        }
        if let timer, timer.deadline <= earliest { return }
        timer?.task.cancel()
        nextID += 1
        let id = nextID
        let task = Task { [clock, weak self] in
            do {
                try await clock.sleep(until: earliest, tolerance: nil)
            } catch {
                return
            }
            await self?.fireDelayed(timerID: id)
        }
        timer = (id, earliest, task)
    }

    /// Queues every delayed key whose deadline has come, earliest first.
    private func fireDelayed(timerID: Int) {
        if timer?.id == timerID { timer = nil }
        let now = clock.now
        let due = delayed.filter { $0.value <= now }.sorted { $0.value < $1.value }
        for (key, _) in due {
            delayed.removeValue(forKey: key)
            lanes.mark(key, delayedPriorities.take(key), isPending: dirty.contains(key))
            if !isShuttingDown { _ = insert(key) }
        }
        scheduleTimer()
        settle()
    }

    private func cancelGetter(_ id: Int) {
        guard let index = getters.firstIndex(where: { $0.id == id }) else { return }
        getters.remove(at: index).continuation.resume(returning: nil)
    }

    private func cancelBlockedAdd(_ id: Int) {
        guard let index = blockedAdds.firstIndex(where: { $0.id == id }) else { return }
        blockedAdds.remove(at: index).continuation.resume(returning: .cancelled)
    }

    private func cancelDrainWaiter(_ id: Int) {
        guard let index = drainWaiters.firstIndex(where: { $0.id == id }) else { return }
        drainWaiters.remove(at: index).continuation.resume()
    }
}

extension WorkQueue where C == ContinuousClock {
    /// A queue on the continuous clock.
    public init(
        name: String, maxDepth: Int = 10_000, rateLimit: ExponentialBackoff = .workQueueItem,
        maxBackgroundWait: Duration = .seconds(5), maxBackgroundInFlight: Int = 8
    ) {
        self.init(
            name: name, maxDepth: maxDepth, rateLimit: rateLimit, maxBackgroundWait: maxBackgroundWait,
            maxBackgroundInFlight: maxBackgroundInFlight, clock: ContinuousClock())
    }
}
