import KubeRuntime
import Testing

@Suite struct WorkQueueTests {
    typealias Queue = WorkQueue<String, ManualClock>

    func queue(
        maxDepth: Int = 100, rateLimit: ExponentialBackoff = .workQueueItem, clock: ManualClock = ManualClock()
    ) -> Queue {
        Queue(name: "test", maxDepth: maxDepth, rateLimit: rateLimit, clock: clock)
    }

    // MARK: Deduplication and order

    @Test func handsOutKeysInOrderAndOnce() async {
        let queue = queue()
        #expect(await queue.add("a") == .queued)
        #expect(await queue.add("b") == .queued)
        #expect(await queue.add("a") == .alreadyQueued)
        #expect(await queue.tryAdd("b") == .alreadyQueued)
        #expect(await queue.depth == 2)
        #expect(await queue.get() == "a")
        #expect(await queue.get() == "b")
        #expect(await queue.depth == 0)
        let stats = await queue.stats
        #expect(stats.addsTotal == 2)
        #expect(stats.processing == 2)
        #expect(stats.handedOut == 2)
    }

    @Test func aWaitingWorkerGetsTheNextKey() async {
        let queue = queue()
        let worker = Task { await queue.get() }
        await eventually("the worker waits") { await queue.stats.waitingWorkers == 1 }
        await queue.add("a")
        #expect(await worker.value == "a")
    }

    // MARK: Exclusivity

    @Test func aKeyAddedWhileProcessingIsDeferredUntilDone() async {
        let queue = queue()
        await queue.add("a")
        #expect(await queue.get() == "a")
        #expect(await queue.add("a") == .deferred)
        #expect(await queue.add("a") == .deferred)
        #expect(await queue.depth == 0)

        // A second worker must not get "a" while the first has it.
        let second = Task { await queue.get() }
        await eventually("the second worker waits") { await queue.stats.waitingWorkers == 1 }
        await queue.add("b")
        #expect(await second.value == "b")

        await queue.done("a")
        #expect(await queue.depth == 1)
        #expect(await queue.get() == "a")
        await queue.done("a")
        await queue.done("b")
        #expect(await queue.stats.processing == 0)
        #expect(await queue.stats.addsTotal == 3)
    }

    @Test func doneWithoutReAddDoesNotRequeue() async {
        let queue = queue()
        await queue.add("a")
        _ = await queue.get()
        await queue.done("a")
        await queue.done("a")  // not processing: ignored
        await queue.done("never")
        #expect(await queue.depth == 0)
        #expect(await queue.stats.processing == 0)
    }

    @Test func concurrentWorkersNeverProcessTheSameKeyAtOnce() async {
        let queue = queue(maxDepth: 4)
        let inFlight = Locked<Set<String>>([])
        let overlaps = Locked(0)
        let processed = Locked<[String: Int]>([:])
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while let key = await queue.get() {
                        let clash = inFlight.withLock { !$0.insert(key).inserted }
                        if clash { overlaps.withLock { $0 += 1 } }
                        await Task.yield()
                        await Task.yield()
                        inFlight.withLock { _ = $0.remove(key) }
                        processed.withLock { $0[key, default: 0] += 1 }
                        await queue.done(key)
                    }
                }
            }
            for round in 0..<300 {
                await queue.add("key-\(round % 7)")
                if round % 3 == 0 { await Task.yield() }
            }
            await queue.shutDownWithDrain()
        }
        #expect(overlaps.withLock { $0 } == 0)
        let counts = processed.withLock { $0 }
        #expect(counts.keys.count == 7)
        #expect(await queue.stats.processing == 0)
        #expect(await queue.depth == 0)
    }

    // MARK: Rate limiting

    @Test func rateLimitedDelaysDoublePerKeyAndForgetResetsThem() async {
        let queue = queue()
        #expect(await queue.addRateLimited("a") == .milliseconds(5))
        #expect(await queue.addRateLimited("a") == .milliseconds(10))
        #expect(await queue.addRateLimited("a") == .milliseconds(20))
        #expect(await queue.addRateLimited("b") == .milliseconds(5))
        #expect(await queue.failureCount(for: "a") == 3)
        await queue.forget("a")
        #expect(await queue.failureCount(for: "a") == 0)
        #expect(await queue.addRateLimited("a") == .milliseconds(5))
        #expect(await queue.failureCount(for: "b") == 1)
        #expect(await queue.stats.retriesTotal == 5)
    }

    @Test func rateLimitedDelaysAreCapped() async {
        let queue = queue(rateLimit: ExponentialBackoff(initial: .seconds(1), maximum: .seconds(4)))
        var delays: [Duration] = []
        for _ in 0..<5 { delays.append(await queue.addRateLimited("a")) }
        #expect(delays == [1, 2, 4, 4, 4].map { .seconds($0) })
    }

    @Test func aRateLimitedKeyComesBackAfterItsDelay() async {
        let clock = ManualClock()
        let queue = queue(clock: clock)
        await queue.add("a")
        #expect(await queue.get() == "a")
        #expect(await queue.addRateLimited("a") == .milliseconds(5))  // failed: retry later
        await queue.done("a")
        #expect(await queue.depth == 0)
        #expect(await queue.stats.delayed == 1)
        clock.advance(by: .milliseconds(4))
        #expect(await queue.stats.delayed == 1)
        clock.advance(by: .milliseconds(1))
        #expect(await queue.get() == "a")
        #expect(await queue.stats.delayed == 0)
    }

    // MARK: Delayed adds

    @Test func delayedAddsComeDueInDeadlineOrder() async {
        let clock = ManualClock()
        let queue = queue(clock: clock)
        #expect(await queue.add("a", after: .milliseconds(30)) == .scheduled)
        #expect(await queue.add("b", after: .milliseconds(10)) == .scheduled)
        #expect(await queue.add("c", after: .milliseconds(20)) == .scheduled)
        #expect(await queue.depth == 0)
        clock.advance(by: .milliseconds(30))
        #expect(await queue.get() == "b")
        await eventually("all are due") { await queue.depth == 2 }
        #expect(await queue.get() == "c")
        #expect(await queue.get() == "a")
    }

    @Test func onlyDueKeysAreQueuedAndTheRestWait() async {
        let clock = ManualClock()
        let queue = queue(clock: clock)
        await queue.add("late", after: .seconds(100))
        await queue.add("soon", after: .seconds(10))  // earlier than the pending timer
        clock.advance(by: .seconds(10))
        #expect(await queue.get() == "soon")
        #expect(await queue.stats.delayed == 1)
        #expect(await queue.depth == 0)
        clock.advance(by: .seconds(89))
        #expect(await queue.stats.delayed == 1)
        clock.advance(by: .seconds(1))
        #expect(await queue.get() == "late")
    }

    @Test func theEarlierDeadlineWins() async {
        let clock = ManualClock()
        let queue = queue(clock: clock)
        await queue.add("a", after: .seconds(50))
        await queue.add("a", after: .seconds(10))
        await queue.add("a", after: .seconds(30))  // later than the kept 10 s: ignored
        #expect(await queue.stats.delayed == 1)
        clock.advance(by: .seconds(10))
        #expect(await queue.get() == "a")
        #expect(await queue.stats.delayed == 0)
    }

    @Test func aDelayedKeyThatIsAlreadyQueuedIsNotDuplicated() async {
        let clock = ManualClock()
        let queue = queue(clock: clock)
        await queue.add("a")
        await queue.add("a", after: .seconds(1))
        clock.advance(by: .seconds(1))
        await eventually("the delay fired") { await queue.stats.delayed == 0 }
        #expect(await queue.depth == 1)
        #expect(await queue.stats.addsTotal == 1)
    }

    @Test func aNonPositiveDelayAddsAtOnce() async {
        let queue = queue()
        #expect(await queue.add("a", after: .zero) == .queued)
        #expect(await queue.add("b", after: .seconds(-1)) == .queued)
        #expect(await queue.depth == 2)
    }

    @Test func timeInQueueIsMeasuredOnTheInjectedClock() async {
        let clock = ManualClock()
        let queue = queue(clock: clock)
        await queue.add("a")
        clock.advance(by: .seconds(3))
        await queue.add("b")
        clock.advance(by: .seconds(1))
        _ = await queue.get()
        _ = await queue.get()
        let stats = await queue.stats
        #expect(stats.handedOut == 2)
        #expect(stats.queueDurationSum == .seconds(5))
    }

    // MARK: Bound

    @Test func tryAddReportsAFullQueue() async {
        let queue = queue(maxDepth: 2)
        #expect(await queue.tryAdd("a") == .queued)
        #expect(await queue.tryAdd("b") == .queued)
        #expect(await queue.tryAdd("c") == .full)
        #expect(await queue.tryAdd("a") == .alreadyQueued)
        #expect(await queue.depth == 2)
        #expect(await queue.stats.addsTotal == 2)
    }

    @Test func addWaitsForRoomInAFullQueue() async {
        let queue = queue(maxDepth: 2)
        await queue.add("a")
        await queue.add("b")
        let blocked = Task { await queue.add("c") }
        await eventually("the add waits") { await queue.stats.blockedAdds == 1 }
        #expect(await queue.depth == 2)
        #expect(await queue.get() == "a")
        #expect(await blocked.value == .queued)
        #expect(await queue.depth == 2)
        #expect(await queue.get() == "b")
        #expect(await queue.get() == "c")
    }

    @Test func aFullQueueStillTakesKeysItAlreadyOwns() async {
        let queue = queue(maxDepth: 1)
        await queue.add("a")
        #expect(await queue.get() == "a")
        await queue.add("b")
        #expect(await queue.add("a") == .deferred)  // in flight: no room needed
        await queue.done("a")  // re-queued beyond the bound rather than deadlocking the worker
        #expect(await queue.depth == 2)
        #expect(await queue.tryAdd("c") == .full)
    }

    @Test func aWaitingAddCanBeCancelled() async {
        let queue = queue(maxDepth: 1)
        await queue.add("a")
        let blocked = Task { await queue.add("b") }
        await eventually("the add waits") { await queue.stats.blockedAdds == 1 }
        blocked.cancel()
        #expect(await blocked.value == .cancelled)
        #expect(await queue.stats.blockedAdds == 0)
        #expect(await queue.depth == 1)
    }

    // MARK: Shutdown

    @Test func shutDownRefusesNewKeysButHandsOutQueuedOnes() async {
        let clock = ManualClock()
        let queue = queue(clock: clock)
        await queue.add("a")
        await queue.add("later", after: .seconds(1))
        await queue.shutDown()
        #expect(await queue.isShuttingDown)
        #expect(await queue.add("b") == .shutDown)
        #expect(await queue.tryAdd("b") == .shutDown)
        #expect(await queue.add("b", after: .seconds(1)) == .shutDown)
        #expect(await queue.stats.delayed == 0)  // pending delays are dropped
        #expect(await queue.get() == "a")
        #expect(await queue.get() == nil)
        clock.advance(by: .seconds(2))
        #expect(await queue.get() == nil)
    }

    @Test func shutDownWakesWaitingWorkersAndAdds() async {
        let queue = queue(maxDepth: 1)
        let idle = Queue(name: "idle", clock: ManualClock())
        let worker = Task { await idle.get() }
        await eventually("the worker waits") { await idle.stats.waitingWorkers == 1 }
        await idle.shutDown()
        #expect(await worker.value == nil)

        await queue.add("a")
        let blocked = Task { await queue.add("b") }
        await eventually("the add waits") { await queue.stats.blockedAdds == 1 }
        await queue.shutDown()
        #expect(await blocked.value == .shutDown)
    }

    @Test func aDirtyKeyIsStillRequeuedAfterShutDown() async {
        let queue = queue()
        await queue.add("a")
        #expect(await queue.get() == "a")
        await queue.add("a")
        await queue.shutDown()
        await queue.done("a")
        #expect(await queue.get() == "a")
        await queue.done("a")
        #expect(await queue.get() == nil)
    }

    @Test func shutDownWithDrainWaitsForQueuedAndInFlightWork() async {
        let queue = queue()
        await queue.add("a")
        await queue.add("b")
        #expect(await queue.get() == "a")
        let finished = Locked(false)
        let drain = Task {
            await queue.shutDownWithDrain()
            finished.withLock { $0 = true }
        }
        await eventually("the drain started") { await queue.isShuttingDown }
        #expect(await queue.add("c") == .shutDown)
        #expect(await queue.get() == "b")
        #expect(await queue.get() == nil)
        await queue.done("a")
        for _ in 0..<100 { await Task.yield() }
        #expect(!finished.withLock { $0 })  // "b" is still in flight
        await queue.done("b")
        await drain.value
        #expect(finished.withLock { $0 })
    }

    @Test func aCancelledDrainReturnsWhileWorkIsInFlight() async {
        let queue = queue()
        await queue.add("a")
        #expect(await queue.get() == "a")
        let drain = Task { await queue.shutDownWithDrain() }
        await eventually("the drain started") { await queue.isShuttingDown }
        drain.cancel()
        await drain.value
        #expect(await queue.stats.processing == 1)
    }

    @Test func shutDownWithDrainOfAnIdleQueueReturnsAtOnce() async {
        let queue = queue()
        await queue.shutDownWithDrain()
        #expect(await queue.get() == nil)
    }

    @Test func aCancelledWorkerGetsNil() async {
        let queue = queue()
        let worker = Task { await queue.get() }
        await eventually("the worker waits") { await queue.stats.waitingWorkers == 1 }
        worker.cancel()
        #expect(await worker.value == nil)
        await queue.add("a")
        #expect(await queue.depth == 1)  // the cancelled worker took nothing
    }

    @Test func theContinuousClockInitializerWorks() async {
        let queue = WorkQueue<Int, ContinuousClock>(name: "continuous", maxDepth: 3)
        await queue.add(1)
        #expect(await queue.get() == 1)
        #expect(queue.maxDepth == 3)
        #expect(queue.rateLimit == .workQueueItem)
    }
}
