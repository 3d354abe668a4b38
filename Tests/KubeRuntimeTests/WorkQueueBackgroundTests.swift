import KubeRuntime
import Testing

/// The background lane: cleanup that waits while urgent work (an expiry) is being processed,
/// so that it never competes with it for workers or the API server.
@Suite struct WorkQueueBackgroundTests {
    private func queue(_ clock: ManualClock = ManualClock(), slots: Int = 8) -> WorkQueue<String, ManualClock> {
        WorkQueue(name: "background", maxBackgroundWait: .seconds(5), maxBackgroundInFlight: slots, clock: clock)
    }

    /// A worker's `get()`, once it waits for a key.
    private func waitingWorker(_ queue: WorkQueue<String, ManualClock>) async -> Task<String?, Never> {
        let worker = Task { await queue.get() }
        await eventually("the worker waits") { await queue.stats.waitingWorkers == 1 }
        return worker
    }

    @Test func backgroundKeysGoLast() async {
        let queue = queue()
        await queue.add("cleanup", priority: .background)
        await queue.add("new")
        await queue.add("expiry", priority: .urgent)
        var order: [String] = []
        for _ in 0..<3 {
            if let key = await queue.get() {
                order.append(key)
                await queue.done(key)
            }
        }
        #expect(order == ["expiry", "new", "cleanup"])
    }

    @Test func aBackgroundKeyWaitsUntilTheUrgentWorkInFlightIsDone() async {
        let queue = queue()
        await queue.add("expiry", priority: .urgent)
        #expect(await queue.get() == "expiry")
        await queue.add("cleanup", priority: .background)
        let worker = await waitingWorker(queue)
        #expect(await queue.depth == 1)
        await queue.done("expiry")
        #expect(await worker.value == "cleanup")
    }

    @Test func normalWorkIsNotHeldBackByUrgentWorkInFlight() async {
        let queue = queue()
        await queue.add("expiry", priority: .urgent)
        #expect(await queue.get() == "expiry")
        await queue.add("new")
        #expect(await queue.get() == "new")
    }

    /// A steady stream of expiries must not hold cleanup back for ever: the queue looks again
    /// whenever something changes (here: one of the expiries is done).
    @Test func aBackgroundKeyThatWaitedLongEnoughGoesAnyway() async {
        let clock = ManualClock()
        let queue = queue(clock)
        await queue.add("expiry-1", priority: .urgent)
        await queue.add("expiry-2", priority: .urgent)
        #expect(await queue.get() == "expiry-1")
        #expect(await queue.get() == "expiry-2")
        await queue.add("cleanup", priority: .background)
        clock.advance(by: .seconds(4))
        let worker = await waitingWorker(queue)
        await queue.done("expiry-1")
        #expect(await queue.stats.waitingWorkers == 1, "4 s is not long enough")
        await queue.add("expiry-1", priority: .urgent)
        #expect(await worker.value == "expiry-1")
        let next = await waitingWorker(queue)
        clock.advance(by: .seconds(1))
        await queue.done("expiry-2")
        #expect(await next.value == "cleanup")
    }

    @Test func aNormalAddMovesAWaitingBackgroundKeyUp() async {
        let queue = queue()
        await queue.add("expiry", priority: .urgent)
        #expect(await queue.get() == "expiry")
        await queue.add("request", priority: .background)
        #expect(await queue.add("request") == .alreadyQueued)  // a watch event: news about it
        #expect(await queue.get() == "request")
        await queue.done("request")
        await queue.done("expiry")
        #expect(await queue.depth == 0)
    }

    @Test func aBackgroundAddNeverMovesAKeyDown() async {
        let queue = queue()
        await queue.add("expiry", priority: .urgent)
        #expect(await queue.get() == "expiry")
        await queue.add("request")
        await queue.add("request", priority: .background)
        #expect(await queue.get() == "request")
    }

    @Test func aDelayedBackgroundAddIsBackgroundWhenItComesDue() async {
        let clock = ManualClock()
        let queue = queue(clock)
        await queue.add("follow-up", after: .seconds(1), priority: .background)
        await queue.add("expiry", priority: .urgent)
        #expect(await queue.get() == "expiry")
        clock.advance(by: .seconds(1))
        await eventually("the delay to pass") { await queue.stats.delayed == 0 }
        let worker = await waitingWorker(queue)
        #expect(await queue.depth == 1)
        await queue.done("expiry")
        #expect(await worker.value == "follow-up")
    }

    @Test func anUrgentDelayedAddOutranksABackgroundOne() async {
        let clock = ManualClock()
        let queue = queue(clock)
        await queue.add("k", after: .seconds(1), priority: .background)
        await queue.add("k", after: .seconds(2), priority: .urgent)
        await queue.add("new")
        clock.advance(by: .seconds(1))
        await eventually("the delay to pass") { await queue.stats.delayed == 0 }
        #expect(await queue.get() == "k")
    }

    @Test func aDrainHandsOutBackgroundKeysWhileUrgentWorkRuns() async {
        let queue = queue()
        await queue.add("expiry", priority: .urgent)
        #expect(await queue.get() == "expiry")
        await queue.add("cleanup", priority: .background)
        await queue.shutDown()
        #expect(await queue.get() == "cleanup")
    }

    /// Cleanup held back through a wave of expiries must not take every worker at once after it.
    @Test func atMostMaxBackgroundInFlightBackgroundKeysGoAtOnce() async {
        let queue = queue(slots: 2)
        for index in 1...3 { await queue.add("cleanup-\(index)", priority: .background) }
        #expect(await queue.get() == "cleanup-1")
        #expect(await queue.get() == "cleanup-2")
        let worker = await waitingWorker(queue)
        await queue.add("new")
        #expect(await worker.value == "new", "other work still goes")
        let next = await waitingWorker(queue)
        #expect(await queue.depth == 1, "the third waits for a slot")
        await queue.done("cleanup-1")
        #expect(await next.value == "cleanup-3")
    }

    @Test func shuttingDownLiftsTheBackgroundLimit() async {
        let queue = queue(slots: 1)
        await queue.add("cleanup-1", priority: .background)
        await queue.add("cleanup-2", priority: .background)
        #expect(await queue.get() == "cleanup-1")
        await queue.shutDown()
        #expect(await queue.get() == "cleanup-2")
    }
}
