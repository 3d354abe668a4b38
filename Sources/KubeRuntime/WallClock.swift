import Foundation
import Synchronization

/// A clock for timed logic: a monotonic time line to wait on, and the wall time that
/// deadlines (expiry, pending deadlines, lease renewals) are written in. Injected everywhere
/// time matters, so expiry, lease and backoff logic are tested by moving a ``ManualClock``
/// instead of waiting.
///
/// Instants are offsets from the clock's start (``ManualClock/Instant``), so every wall clock
/// has the same instant type and ``AnyWallClock`` can erase them.
public protocol WallClock: Clock, Sendable where Instant == ManualClock.Instant, Duration == Swift.Duration {
    /// The wall time now.
    var date: Date { get }
}

extension WallClock {
    /// The delay from now until `date` on this clock (zero when past).
    public func delay(until date: Date) -> Duration {
        let seconds = date.timeIntervalSince(self.date)
        return seconds > 0 ? .nanoseconds(Int64((seconds * 1e9).rounded(.up))) : .zero
    }

    /// How long to wait on the way to `date` before reading the wall clock again: the whole
    /// delay when it is a second or less, else all but a sixteenth of it (at least a second).
    ///
    /// Waits run on the monotonic time line, deadlines such as an expiry are wall time, and a
    /// wall clock can run fast against the time line (NTP or a VM's host correcting it): 0.5 %
    /// fast ends an hour's wait 18 s late in wall time. Each look divides what a drift adds by
    /// sixteen; a wall clock up to 6 % fast, or a step of under a second between two looks,
    /// never makes the last wait end late. A wall clock running slow ends a wait early, and the
    /// caller, finding its deadline not yet come, waits again.
    public func wakeDelay(toward date: Date) -> Duration {
        let remaining = delay(until: date)
        let margin = max(remaining / 16, .seconds(1))
        return remaining > margin ? remaining - margin : remaining
    }
}

/// The system's clocks: `ContinuousClock` for waiting, `Date()` for the wall time.
public struct SystemClock: WallClock {
    private let start: ContinuousClock.Instant

    public init() {
        self.start = ContinuousClock.now
    }

    public var now: ManualClock.Instant { ManualClock.Instant(offset: start.duration(to: ContinuousClock.now)) }
    public var minimumResolution: Duration { ContinuousClock().minimumResolution }
    public var date: Date { Date() }

    public func sleep(until deadline: ManualClock.Instant, tolerance: Duration? = nil) async throws {
        try await ContinuousClock().sleep(until: start.advanced(by: deadline.offset), tolerance: tolerance)
    }
}

/// Any ``WallClock``, type-erased (what long-lived components store).
public struct AnyWallClock: WallClock {
    private let nowBody: @Sendable () -> ManualClock.Instant
    private let dateBody: @Sendable () -> Date
    private let sleepBody: @Sendable (ManualClock.Instant, Duration?) async throws -> Void
    public let minimumResolution: Duration

    public init(_ clock: some WallClock) {
        self.nowBody = { clock.now }
        self.dateBody = { clock.date }
        self.sleepBody = { try await clock.sleep(until: $0, tolerance: $1) }
        self.minimumResolution = clock.minimumResolution
    }

    /// The system clock; one that sleeps on NIO's event loops (``EventLoopClock``) once
    /// Swift's tasks run there (``EventLoopExecutor/install()``).
    public static var system: AnyWallClock {
        EventLoopExecutor.isInstalled ? AnyWallClock(EventLoopClock()) : AnyWallClock(SystemClock())
    }

    public var now: ManualClock.Instant { nowBody() }
    public var date: Date { dateBody() }

    public func sleep(until deadline: ManualClock.Instant, tolerance: Duration? = nil) async throws {
        try await sleepBody(deadline, tolerance)
    }
}

extension ManualClock: WallClock {
    /// The wall time: ``epoch`` plus the time the clock has moved and any step of its wall
    /// time (``stepWallClock(by:)``).
    public var date: Date {
        let offset = wallElapsed
        return epoch.addingTimeInterval(
            Double(offset.components.seconds) + Double(offset.components.attoseconds) / 1e18)
    }
}
