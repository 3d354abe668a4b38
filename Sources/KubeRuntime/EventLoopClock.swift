import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// The system clock, sleeping on NIO's event loops: a sleep is a timer on a loop, and the
/// sleeper resumes there. Swift's own sleep is a Dispatch timer whose wake-up runs on one of
/// Dispatch's threads, then hops to the loops (``EventLoopExecutor``): two threads woken per
/// sleep, for the work queue's every delayed key.
public struct EventLoopClock: WallClock {
    private let system: SystemClock
    private let group: any EventLoopGroup

    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.system = SystemClock()
        self.group = group
    }

    public var now: ManualClock.Instant { system.now }
    public var minimumResolution: Duration { system.minimumResolution }
    public var date: Date { system.date }

    /// Sleeps until `deadline` (the tolerance is not used); throws `CancellationError` at once
    /// when the task is cancelled, and when the loop shuts down before the deadline.
    public func sleep(until deadline: ManualClock.Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let delay = now.duration(to: deadline)
        guard delay > .zero else { return }
        let timer = SleepTimer()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                timer.start(continuation, after: TimeAmount(delay), on: group.any())
            }
        } onCancel: {
            timer.cancel()
        }
    }
}

/// One sleep: whichever of the timer and a cancellation comes first resumes the sleeper, once.
private final class SleepTimer: Sendable {
    private enum State {
        case starting
        case waiting(CheckedContinuation<Void, any Error>, Scheduled<Void>)
        /// The timer fired before the sleeper was recorded (a very short sleep).
        case fired
        case cancelled
        case done
    }

    private let state = Mutex<State>(.starting)

    func start(_ continuation: CheckedContinuation<Void, any Error>, after delay: TimeAmount, on loop: any EventLoop) {
        let scheduled = loop.scheduleTask(in: delay) { self.fire() }
        // A loop that shuts down drops its timers: the sleep ends as if cancelled, not never.
        scheduled.futureResult.whenFailure { _ in self.cancel() }
        let early = state.withLock { state -> State? in
            guard case .starting = state else {
                defer { state = .done }
                return state
            }
            state = .waiting(continuation, scheduled)
            return nil
        }
        switch early {
        case .fired?: continuation.resume()
        case .cancelled?:
            scheduled.cancel()
            continuation.resume(throwing: CancellationError())
        default: break
        }
    }

    func cancel() {
        let waiting = state.withLock { state -> (CheckedContinuation<Void, any Error>, Scheduled<Void>)? in
            switch state {
            case .waiting(let continuation, let scheduled):
                state = .done
                return (continuation, scheduled)
            case .starting:
                state = .cancelled
                return nil
            case .fired, .cancelled, .done:
                return nil
            }
        }
        guard let (continuation, scheduled) = waiting else { return }
        scheduled.cancel()
        continuation.resume(throwing: CancellationError())
    }

    private func fire() {
        let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            switch state {
            case .waiting(let continuation, _):
                state = .done
                return continuation
            case .starting:
                state = .fired
                return nil
            case .fired, .cancelled, .done:
                return nil
            }
        }
        continuation?.resume()
    }
}

extension TimeAmount {
    /// `duration`, rounded up to whole nanoseconds (saturating).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let nanoseconds = whole.addingReportingOverflow((attoseconds + 999_999_999) / 1_000_000_000)
        self = .nanoseconds(overflow || nanoseconds.overflow ? .max : nanoseconds.partialValue)
    }
}
