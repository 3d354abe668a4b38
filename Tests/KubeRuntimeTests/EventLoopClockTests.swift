import Dispatch
import KubeRuntime
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A loop that counts the timers set on it and runs them on a real loop: a test waits until a
/// sleep has set its timer rather than for a while.
final class TimerCountingLoop: EventLoop {
    let base: any EventLoop
    let timers = Atomic<Int>(0)

    init(_ base: any EventLoop) { self.base = base }

    var inEventLoop: Bool { base.inEventLoop }
    func execute(_ task: @escaping @Sendable () -> Void) { base.execute(task) }

    func scheduleTask<T>(deadline: NIODeadline, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        timers.add(1, ordering: .relaxed)
        return base.scheduleTask(deadline: deadline, task)
    }

    func scheduleTask<T>(in delay: TimeAmount, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        timers.add(1, ordering: .relaxed)
        return base.scheduleTask(in: delay, task)
    }

    func scheduleCallback(
        at deadline: NIODeadline, handler: some (NIOScheduledCallbackHandler & Sendable)
    ) throws -> NIOScheduledCallback {
        timers.add(1, ordering: .relaxed)
        return try base.scheduleCallback(at: deadline, handler: handler)
    }

    func scheduleCallback(
        in amount: TimeAmount, handler: some (NIOScheduledCallbackHandler & Sendable)
    ) throws -> NIOScheduledCallback {
        timers.add(1, ordering: .relaxed)
        return try base.scheduleCallback(in: amount, handler: handler)
    }

    func cancelScheduledCallback(_ scheduledCallback: NIOScheduledCallback) {
        base.cancelScheduledCallback(scheduledCallback)
    }

    func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable ((any Error)?) -> Void) {
        base.shutdownGracefully(queue: queue, callback)
    }

    /// Waits (yielding, 10 s at most) until `count` timers were set; an issue if they never are.
    func waitForTimers(_ count: Int, sourceLocation: SourceLocation = #_sourceLocation) async {
        let deadline = ContinuousClock.now + .seconds(10)
        while timers.load(ordering: .relaxed) < count {
            guard ContinuousClock.now < deadline else {
                Issue.record("\(count) timer(s) never set", sourceLocation: sourceLocation)
                return
            }
            await Task.yield()
        }
    }
}

/// The controller's clock sleeps on NIO's event loops; a sleep ends at its deadline, at a
/// cancellation or when its loop shuts down, and only once.
struct EventLoopClockTests {
    /// `sleeper`'s result, or nil and an issue when it takes longer than `limit` (then it is
    /// cancelled, so that a sleep that never ends fails the test rather than hanging it).
    private static func finishes(
        within limit: Duration = .seconds(10), _ sleeper: Task<Void, any Error>
    ) async -> Result<Void, any Error>? {
        await withTaskGroup(of: Result<Void, any Error>?.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await sleeper.result
                } onCancel: {
                    sleeper.cancel()
                }
            }
            group.addTask {
                try? await ContinuousClock().sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if first == nil { Issue.record("did not finish within \(limit)") }
            return first
        }
    }

    @Test func aSleepLastsUntilItsDeadline() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clock = EventLoopClock(group: group)
        let start = ContinuousClock.now
        let result = await Self.finishes(Task { try await clock.sleep(for: .milliseconds(50)) })
        #expect(throws: Never.self) { try result?.get() }
        #expect(start.duration(to: .now) >= .milliseconds(50))
        #expect(clock.now.offset > .milliseconds(50))
        try await group.shutdownGracefully()
    }

    @Test func aCancelledSleepThrowsAtOnce() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clock = EventLoopClock(group: group)
        let sleeper = Task { try await clock.sleep(for: .seconds(3600)) }
        sleeper.cancel()
        let result = await Self.finishes(sleeper)
        #expect(throws: CancellationError.self) { try result?.get() }
        try await group.shutdownGracefully()
    }

    @Test func aSleepCancelledWhileWaitingThrows() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = TimerCountingLoop(group.next())
        let clock = EventLoopClock(group: loop)
        let sleeper = Task { try await clock.sleep(for: .seconds(3600)) }
        await loop.waitForTimers(1)
        sleeper.cancel()
        let result = await Self.finishes(sleeper)
        #expect(throws: CancellationError.self) { try result?.get() }
        try await group.shutdownGracefully()
    }

    /// The timer is the given loop's: shutting it down ends the sleep.
    @Test func aSleepEndsWhenItsLoopShutsDown() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = TimerCountingLoop(group.next())
        let clock = EventLoopClock(group: loop)
        let sleeper = Task { try await clock.sleep(for: .seconds(3600)) }
        await loop.waitForTimers(1)
        try await group.shutdownGracefully()
        let result = await Self.finishes(sleeper)
        #expect(throws: CancellationError.self) { try result?.get() }
    }

    /// A deadline already past sets no timer: even a loop that is gone does not matter.
    @Test func aPastDeadlineReturnsAtOnce() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        try await group.shutdownGracefully()
        let clock = EventLoopClock(group: group)
        let result = await Self.finishes(Task { try await clock.sleep(until: clock.now) })
        #expect(throws: Never.self) { try result?.get() }
    }

    /// Many short sleeps in parallel each end once (none lost, none resumed twice, which
    /// would trap).
    @Test func shortSleepsRaceTheirTimersSafely() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let clock = EventLoopClock(group: group)
        let result = await Self.finishes(
            Task {
                try await withThrowingTaskGroup(of: Void.self) { sleepers in
                    for index in 0..<2000 {
                        sleepers.addTask {
                            let sleep = Task { try await clock.sleep(for: .microseconds(index % 50)) }
                            if index % 3 == 0 { sleep.cancel() }
                            _ = await sleep.result
                        }
                    }
                    try await sleepers.waitForAll()
                }
            })
        #expect(throws: Never.self) { try result?.get() }
        try await group.shutdownGracefully()
    }
}
