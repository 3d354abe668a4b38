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

/// One sleep: whichever of the timer, a cancellation and the loop's shutdown comes first
/// resumes the sleeper, once.
///
/// The timer is a scheduled callback, not a scheduled task: its handler is given with it, so a
/// loop that shuts down tells it (`didCancelScheduledCallback`) however the shutdown interleaves
/// with setting it, and cancelling it takes the loop's lock rather than queueing work on a loop
/// that may be gone. (A task's future would need a callback hooked after it is set, which a
/// loop shutting down in between never runs: the sleep then hung until cancelled, and cancelling
/// it queued a task on the dead loop.)
private final class SleepTimer: NIOScheduledCallbackHandler, Sendable {
    private enum State {
        case starting
        case waiting(CheckedContinuation<Void, any Error>)
        /// The timer fired before the sleeper was recorded (a very short sleep).
        case fired
        /// Cancelled (or the loop gone) before the sleeper was recorded.
        case cancelled
        case done
    }

    private let state = Mutex<State>(.starting)
    private let callback = Mutex<NIOScheduledCallback?>(nil)

    func start(_ continuation: CheckedContinuation<Void, any Error>, after delay: TimeAmount, on loop: any EventLoop) {
        do {
            let scheduled = try loop.scheduleCallback(in: delay, handler: self)
            callback.withLock { $0 = scheduled }
        } catch {
            end(fired: false)  // the loop is shut down: as if cancelled
        }
        let early = state.withLock { state -> State? in
            guard case .starting = state else {
                defer { state = .done }
                return state
            }
            state = .waiting(continuation)
            return nil
        }
        switch early {
        case .fired?: continuation.resume()
        case .cancelled?:
            callback.withLock { $0 }?.cancel()
            continuation.resume(throwing: CancellationError())
        default: break
        }
    }

    /// The sleeping task was cancelled.
    func cancel() {
        end(fired: false)
        callback.withLock { $0 }?.cancel()
    }

    func handleScheduledCallback(eventLoop: some EventLoop) {
        end(fired: true)
    }

    /// Cancelled, or the loop shut down.
    func didCancelScheduledCallback(eventLoop: some EventLoop) {
        end(fired: false)
    }

    private func end(fired: Bool) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            switch state {
            case .waiting(let continuation):
                state = .done
                return continuation
            case .starting:
                state = fired ? .fired : .cancelled
                return nil
            case .fired, .cancelled, .done:
                return nil
            }
        }
        if fired {
            continuation?.resume()
        } else {
            continuation?.resume(throwing: CancellationError())
        }
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
