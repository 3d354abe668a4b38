import Foundation
import KubeRuntime
import Testing

/// Deadlines are wall time, waits run on the monotonic time line: a wall clock that drifts or
/// is stepped must not make a wait end late.
@Suite struct WallClockTests {
    @Test func steppingTheWallClockMovesOnlyTheDate() async throws {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(10)) }
        await eventually("the task sleeps") { clock.sleeperCount == 1 }
        let before = clock.date
        clock.stepWallClock(by: .seconds(30))
        #expect(clock.date.timeIntervalSince(before) == 30)
        #expect(clock.now.offset == .zero)
        #expect(clock.sleeperCount == 1)
        clock.stepWallClock(by: .seconds(-45))
        #expect(clock.date.timeIntervalSince(before) == -15)
        #expect(clock.wallOffset == .seconds(-15))
        clock.advance(by: .seconds(10))
        try await sleeper.value
    }

    @Test func aLongWaitLooksAtTheWallClockAgainBeforeItsEnd() {
        let clock = ManualClock()
        func wait(_ seconds: Double) -> Duration {
            clock.wakeDelay(toward: clock.date.addingTimeInterval(seconds))
        }
        #expect(wait(-5) == .zero)
        #expect(wait(0.5) == .milliseconds(500))
        #expect(wait(1) == .seconds(1))
        // Never closer than a second to the deadline, else a sixteenth of the way.
        #expect(wait(1.5) == .milliseconds(500))
        #expect(wait(15) == .seconds(14))
        #expect(wait(3600) == .seconds(3375))
    }

    /// A wall clock 5 % fast (ten times what NTP may slew): an hour's wait taken in one piece
    /// would end 3 minutes late; looking again as `wakeDelay` says ends it within 50 ms, after a
    /// handful of looks.
    @Test func aWallClockRunningFastStillEndsTheWaitOnTime() {
        let clock = ManualClock()
        let deadline = clock.date.addingTimeInterval(3600)
        var looks = 0
        while true {
            let wait = clock.wakeDelay(toward: deadline)
            if wait == .zero { break }
            looks += 1
            clock.advance(by: wait)
            clock.stepWallClock(by: wait / 20)
        }
        let late = clock.date.timeIntervalSince(deadline)
        #expect(late >= 0 && late <= 0.05, "ended \(late) s after the deadline")
        #expect(looks <= 6, "\(looks) looks")
    }
}
