import KubeRuntime
import NIOCore
import NIOPosix
import Testing

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
        let clock = EventLoopClock(group: group)
        let sleeper = Task { try await clock.sleep(for: .seconds(3600)) }
        // Most likely it has set its timer by now (if not, the cancellation comes first: the
        // same outcome by the other path).
        try await ContinuousClock().sleep(for: .milliseconds(20))
        sleeper.cancel()
        let result = await Self.finishes(sleeper)
        #expect(throws: CancellationError.self) { try result?.get() }
        try await group.shutdownGracefully()
    }

    /// The timer is the given loop's: shutting it down ends the sleep.
    @Test func aSleepEndsWhenItsLoopShutsDown() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clock = EventLoopClock(group: group)
        let sleeper = Task { try await clock.sleep(for: .seconds(3600)) }
        // As above: the timer is most likely set; a loop shut down first refuses it, which
        // ends the sleep the same way.
        try await ContinuousClock().sleep(for: .milliseconds(20))
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
