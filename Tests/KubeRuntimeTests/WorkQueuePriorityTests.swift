import KubeRuntime
import Testing

@Suite struct WorkQueuePriorityTests {
    @Test func urgentKeysAreHandedOutFirstAndAQueuedKeyMovesUp() async {
        let queue = WorkQueue<String, ManualClock>(name: "lanes", clock: ManualClock())
        for key in ["a", "b", "c"] { await queue.add(key) }
        await queue.add("x", priority: .urgent)
        await queue.add("c", priority: .urgent)  // already queued: moves up
        var order: [String] = []
        for _ in 0..<4 { if let key = await queue.get() { order.append(key) } }
        #expect(order == ["x", "c", "a", "b"])
        #expect(await queue.depth == 0)
        for key in order { await queue.done(key) }
        // The lingering normal-lane copy of "c" is not handed out again.
        await queue.add("d")
        #expect(await queue.get() == "d")
        await queue.done("d")
        #expect(await queue.depth == 0)
    }

    @Test func timedWorkComingDueIsUrgent() async {
        let clock = ManualClock()
        let queue = WorkQueue<String, ManualClock>(name: "timed", clock: clock)
        await queue.add("expiry", after: .seconds(10), priority: .urgent)
        for index in 0..<100 { await queue.add("new-\(index)") }
        clock.advance(by: .seconds(10))
        await eventually("the delay to pass") { await queue.stats.delayed == 0 }
        #expect(await queue.get() == "expiry")
    }

    /// The urgency belongs to the timed wake-up: handing the key out in between (a watch event
    /// woke it) must not turn the wake-up into normal work behind a backlog.
    @Test func aTimedWakeUpStaysUrgentWhenTheKeyIsHandedOutBeforeIt() async {
        let clock = ManualClock()
        let queue = WorkQueue<String, ManualClock>(name: "timed", clock: clock)
        await queue.add("expiry", after: .seconds(10), priority: .urgent)
        await queue.add("expiry")
        #expect(await queue.get() == "expiry")
        await queue.done("expiry")
        for index in 0..<3 { await queue.add("new-\(index)") }
        clock.advance(by: .seconds(10))
        await eventually("the delay to pass") { await queue.stats.delayed == 0 }
        #expect(await queue.get() == "expiry")
    }

    /// Until it comes due, a timed wake-up makes nothing urgent: a key woken by a watch event
    /// meanwhile waits its turn like any other.
    @Test func aTimedWakeUpIsNotUrgentBeforeItsTime() async {
        let clock = ManualClock()
        let queue = WorkQueue<String, ManualClock>(name: "timed", clock: clock)
        await queue.add("expiry", after: .seconds(10), priority: .urgent)
        await queue.add("first")
        await queue.add("expiry")
        #expect(await queue.get() == "first")
        #expect(await queue.get() == "expiry")
        #expect(await queue.stats.delayed == 1)
    }

    @Test func aDrainEndsWithLingeringCopies() async {
        let queue = WorkQueue<String, ManualClock>(name: "drain", clock: ManualClock())
        await queue.add("k")
        await queue.add("k", priority: .urgent)
        let key = await queue.get()
        #expect(key == "k")
        let draining = Task { await queue.shutDownWithDrain() }
        await queue.done("k")
        await draining.value
        #expect(await queue.get() == nil)
    }
}
