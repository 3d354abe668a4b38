import Foundation
import KubeClient
import KubeCore
import Logging
import Metrics
import Synchronization

/// What `ControllerManager` needs of a controller, whatever its primary type.
public protocol ManagedController: Sendable {
    var name: String { get }
    /// Whether every informer of the controller has synced.
    var hasSynced: Bool { get }
    /// Runs the informers until cancelled (on every replica: standbys keep warm caches).
    func runInformers() async
    /// Runs the workers until cancelled or the queue is shut down (on the leader only).
    func runWorkers() async
    /// Stops intake: queued keys are still handed out, then workers return.
    func stopIntake() async
}

/// A controller: a primary informer plus related ones feeding keys into a work queue, and N
/// workers handing each key to the `Reconciler` — never the same key to two workers at once.
///
/// Level-based: the reconciler receives only the key and reads the current state itself.
/// A thrown error re-queues the key with per-key exponential backoff; a `TerminalError` is
/// logged and not retried; `.requeue(after:)` schedules timed work, which is *urgent* when it
/// comes due: handed out before keys woken by new objects, so a burst of new work never
/// delays it. `dueAt` tells when an object's timed work comes due (an expiry) without a
/// reconcile: an object added past it is urgent, and when the workers start (after a start, or
/// on becoming leader) every cached object is woken urgently at its time, so neither a re-list
/// nor the backlog a standby queued holds back what comes due meanwhile.
public final class Controller<Primary: KubeResource>: ManagedController {
    public let name: String
    /// The primary resource's informer: its store is the reconciler's cache.
    public let primary: Informer<Primary>
    public let queue: WorkQueue<ObjectKey, AnyWallClock>
    /// The clock of the queue's delays (injected in tests).
    public let clock: AnyWallClock
    private let reconciler: any Reconciler
    private let workers: Int
    private let logger: Logger
    private let secondaries = Mutex<[any SecondaryInformer]>([])
    private let dueAt: (@Sendable (Primary) -> Date?)?

    private let successes: Counter
    private let requeues: Counter
    private let failures: Counter
    private let terminals: Counter
    private let errors: Counter
    private let duration: Metrics.Timer

    public init(
        name: String, primary: Informer<Primary>, reconciler: any Reconciler, workers: Int = 2,
        maxQueueDepth: Int = 100_000, clock: AnyWallClock = .system,
        dueAt: (@Sendable (Primary) -> Date?)? = nil, logger: Logger
    ) {
        self.name = name
        self.primary = primary
        self.reconciler = reconciler
        self.workers = workers
        self.dueAt = dueAt
        self.clock = clock
        // A quarter of the workers for cleanup at most (see WorkQueueLanes).
        self.queue = WorkQueue(
            name: name, maxDepth: maxQueueDepth, maxBackgroundInFlight: max(1, workers / 4), clock: clock)
        var logger = logger
        logger[metadataKey: "controller"] = "\(name)"
        self.logger = logger
        func outcome(_ result: String) -> Counter {
            Counter(label: "airlock_reconcile_total", dimensions: [("controller", name), ("result", result)])
        }
        successes = outcome("success")
        requeues = outcome("requeue")
        failures = outcome("error")
        terminals = outcome("terminal_error")
        errors = Counter(label: "airlock_reconcile_errors_total", dimensions: [("controller", name)])
        duration = Metrics.Timer(
            label: "airlock_reconcile_time_seconds", dimensions: [("controller", name)], preferredDisplayUnit: .seconds)
        let queue = self.queue
        primary.addHandler { change in
            var due: Date?
            if case .deleted = change { due = nil } else { due = dueAt?(change.object) }
            let past = due.map { clock.delay(until: $0) == .zero } ?? false
            await queue.add(change.key, priority: past ? .urgent : .normal)
        }
    }

    /// Also reconciles the owner when an object of `Owned` changes: owners are found by the
    /// ownerReferences of kind `Primary.kind` (same namespace, as Kubernetes requires).
    public func owns<Owned: KubeResource>(_ informer: Informer<Owned>) {
        watches(informer) { object in
            (object.metadata.ownerReferences ?? [])
                .filter { $0.kind == Primary.kind && $0.apiVersion == Primary.apiVersion }
                .map {
                    ObjectKey(namespace: Primary.scope == .cluster ? nil : object.metadata.namespace, name: $0.name)
                }
        }
    }

    /// Also reconciles the keys `map` returns when an object of `Other` changes (e.g. by label).
    public func watches<Other: KubeResource>(
        _ informer: Informer<Other>, map: @escaping @Sendable (Other) -> [ObjectKey]
    ) {
        let queue = self.queue
        informer.addHandler { change in
            for key in map(change.object) { await queue.add(key) }
        }
        secondaries.withLock { $0.append(informer) }
    }

    /// Schedules a reconcile of `key` (now, or after `delay`).
    public func enqueue(_ key: ObjectKey, after delay: Duration? = nil) async {
        if let delay { await queue.add(key, after: delay) } else { await queue.add(key) }
    }

    public var hasSynced: Bool {
        primary.store.hasSynced && secondaries.withLock { $0.allSatisfy { $0.hasSynced } }
    }

    public func runInformers() async {
        let informers: [any SecondaryInformer] = [primary] + secondaries.withLock { $0 }
        await withDiscardingTaskGroup { group in
            for informer in informers { group.addTask { await informer.run() } }
        }
    }

    public func runWorkers() async {
        // Reconciling from a partial cache would act on a partial world.
        do {
            try await primary.store.waitUntilSynced()
            for informer in secondaries.withLock({ $0 }) { try await informer.waitUntilSynced() }
        } catch {
            return
        }
        await scheduleDueWork()
        logger.info("caches synced; starting \(workers) workers")
        await withDiscardingTaskGroup { group in
            for _ in 0..<workers { group.addTask { await self.work() } }
        }
    }

    /// Wakes every cached object with timed work urgently when it comes due (at once if it is
    /// past). Run when the workers start: keys queued before then (a re-list after a start, or
    /// everything that changed while this replica stood by) are in the normal lane, and what
    /// came due meanwhile must not wait behind them.
    private func scheduleDueWork() async {
        guard let dueAt else { return }
        let due = primary.store.list().compactMap { object in dueAt(object).map { (object.key, $0) } }
        for (key, date) in due.sorted(by: { $0.1 < $1.1 }) {
            await queue.add(key, after: clock.wakeDelay(toward: date), priority: .urgent)
        }
    }

    public func stopIntake() async {
        await queue.shutDown()
    }

    /// One worker: takes keys until the queue is shut down.
    ///
    /// Each key is reconciled in a child task of its own. A task's allocator keeps the slabs
    /// its deepest await needed until the task ends, so a long-lived worker that reconciled
    /// in its own frames would hold tens of KB for good (32 idle workers, over a MB); a child
    /// task gives them back when its key is done.
    private func work() async {
        while let key = await queue.get() {
            async let keepWorking = process(key)
            guard await keepWorking else { return }
        }
    }

    /// Reconciles `key` and queues it again as its result says; false when the worker must
    /// stop (cancelled mid-reconcile).
    private func process(_ key: ObjectKey) async -> Bool {
        let clock = self.clock
        let start = clock.now
        do {
            let result = try await reconciler.reconcile(key)
            await queue.forget(key)
            if case .requeue(let delay, let priority) = result {
                await queue.add(key, after: delay, priority: priority)
                requeues.increment()
            } else {
                successes.increment()
            }
        } catch let error as TerminalError {
            await queue.forget(key)
            terminals.increment()
            errors.increment()
            logger.error("reconcile \(key) failed for good: \(error.message)")
        } catch {
            if Task.isCancelled {
                // Leadership lost (or shutting down) mid-reconcile: the key goes back, for
                // whoever works next — this process, should it lead again.
                await queue.done(key)
                await queue.add(key)
                return false
            }
            let delay = await queue.addRateLimited(key)
            failures.increment()
            errors.increment()
            logger.warning("reconcile \(key) failed, retry in \(delay): \(error)")
        }
        duration.recordNanoseconds(start.duration(to: clock.now).nanoseconds)
        await queue.done(key)
        return true
    }
}

/// An informer seen without its type, for running and sync checks.
protocol SecondaryInformer: Sendable {
    var hasSynced: Bool { get }
    func waitUntilSynced() async throws
    func run() async
}

extension Informer: SecondaryInformer {
    var hasSynced: Bool { store.hasSynced }
    func waitUntilSynced() async throws { try await store.waitUntilSynced() }
}

extension Duration {
    /// Whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
