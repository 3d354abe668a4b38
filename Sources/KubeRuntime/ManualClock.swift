import Foundation
import Synchronization

/// A `Clock` that moves only when told to: for tests of timed behaviour (backoff, delayed
/// work, expiry) that must neither sleep nor depend on the machine's speed.
///
/// `sleep(until:)` suspends until `advance` moves `now` to or past the deadline (or returns at
/// once if it is already there); a cancelled sleep throws `CancellationError`.
public final class ManualClock: Clock, Sendable {
    /// A point on the manual time line: the offset from the clock's start.
    public struct Instant: InstantProtocol, Sendable, Hashable, CustomStringConvertible {
        /// Time since the clock's start.
        public var offset: Duration

        public init(offset: Duration) {
            self.offset = offset
        }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        public var description: String { "ManualClock.Instant(\(offset))" }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Instant
        var wallOffset: Duration = .zero
        var sleepers: [Int: Sleeper] = [:]
        var nextID = 0
    }

    private let state: Mutex<State>
    /// The wall time at offset zero (see ``date``).
    public let epoch: Date

    /// A clock at offset zero (or at `now`), whose wall time at offset zero is `epoch`.
    public init(now: Instant = Instant(offset: .zero), epoch: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        self.state = Mutex(State(now: now))
        self.epoch = epoch
    }

    public var now: Instant { state.withLock { $0.now } }

    /// How far the wall time (``date``) has been stepped away from the time line.
    public var wallOffset: Duration { state.withLock { $0.wallOffset } }

    /// Steps the wall time by `duration` (forward, or back when negative) and leaves the time
    /// line alone, waking no one: a wall clock corrected by NTP or by a VM's host.
    public func stepWallClock(by duration: Duration) {
        state.withLock { $0.wallOffset += duration }
    }

    /// The wall time's distance from ``epoch``: the time line's offset plus the steps, read at once.
    var wallElapsed: Duration { state.withLock { $0.now.offset + $0.wallOffset } }

    public var minimumResolution: Duration { .zero }

    /// How many tasks are sleeping on this clock: lets a test wait until the code under test
    /// has started waiting before it advances time.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline anyone sleeps until, if any.
    public var nextDeadline: Instant? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration` and wakes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "a clock does not go back")
        let target = now.advanced(by: duration)
        advance(to: target)
    }

    /// Moves time forward to `instant` (no-op if it is in the past) and wakes every sleeper
    /// whose deadline has come, earliest first.
    public func advance(to instant: Instant) {
        let due = state.withLock { state -> [Sleeper] in
            if instant > state.now { state.now = instant }
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
            for id in due.keys { state.sleepers.removeValue(forKey: id) }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}
