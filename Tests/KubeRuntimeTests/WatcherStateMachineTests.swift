import KubeCore
import KubeRuntime
import Testing

@Suite struct WatcherStateMachineTests {
    typealias Machine = WatcherStateMachine<ConfigMap>

    let a = configMap("a", resourceVersion: "10")
    let b = configMap("b", resourceVersion: "11")
    let c = configMap("c", resourceVersion: "12")

    /// Without jitter: delays are 200 ms, 400 ms, 800 ms, ...
    func machine(random: @escaping @Sendable () -> Double = { 0 }, jitter: Double = 0) -> Machine {
        Machine(backoff: Backoff(jitter: jitter, random: random))
    }

    /// A machine that has listed `items` at `resourceVersion` and is watching.
    func watching(_ items: [ConfigMap] = [], at resourceVersion: String = "100") -> Machine {
        var machine = machine()
        _ = machine.start()
        _ = machine.listPageReceived(items, resourceVersion: resourceVersion, continue: nil)
        return machine
    }

    @Test func startsWithAListOfTheFirstPage() {
        var machine = machine()
        #expect(machine.state == .empty)
        #expect(machine.start() == .list(continue: nil))
        #expect(machine.state == .listing(continue: nil, items: []))
        #expect(machine.resourceVersion == nil)
    }

    @Test func multiPageListAccumulatesThenReplacesOnceAndWatchesFromTheListVersion() {
        var machine = machine()
        _ = machine.start()
        #expect(machine.listPageReceived([a], resourceVersion: "50", continue: "t1") == .list(continue: "t1"))
        #expect(machine.state == .listing(continue: "t1", items: [a]))
        #expect(machine.listPageReceived([b], resourceVersion: "50", continue: "t2") == .list(continue: "t2"))
        let last = machine.listPageReceived([c], resourceVersion: "50", continue: nil)
        #expect(last == .replace([a, b, c], thenWatchFrom: "50"))
        #expect(machine.state == .watching(resourceVersion: "50"))
        #expect(machine.resourceVersion == "50")
    }

    @Test func anEmptyContinueTokenEndsTheList() {
        var machine = machine()
        _ = machine.start()
        #expect(machine.listPageReceived([a], resourceVersion: "7", continue: "") == .replace([a], thenWatchFrom: "7"))
    }

    @Test func anEmptyListStillReplaces() {
        var machine = machine()
        _ = machine.start()
        #expect(machine.listPageReceived([], resourceVersion: "7", continue: nil) == .replace([], thenWatchFrom: "7"))
    }

    @Test func watchEventsAreEmittedAndMoveTheResourceVersion() {
        var machine = watching([a])
        let modified = configMap("a", resourceVersion: "101")
        #expect(machine.watchEventReceived(.modified(modified)) == .event(.modified(modified)))
        #expect(machine.resourceVersion == "101")
        let added = configMap("d", resourceVersion: "102")
        #expect(machine.watchEventReceived(.added(added)) == .event(.added(added)))
        let deleted = configMap("d", resourceVersion: "103")
        #expect(machine.watchEventReceived(.deleted(deleted)) == .event(.deleted(deleted)))
        #expect(machine.state == .watching(resourceVersion: "103"))
    }

    @Test func bookmarksAreNotEmittedButMoveTheResourceVersion() {
        var machine = watching()
        #expect(machine.watchEventReceived(.bookmark(resourceVersion: "150")) == nil)
        #expect(machine.resourceVersion == "150")
    }

    @Test func anEventWithoutResourceVersionKeepsTheLastOne() {
        var machine = watching()
        let odd = configMap("x", resourceVersion: nil)
        #expect(machine.watchEventReceived(.added(odd)) == .event(.added(odd)))
        #expect(machine.resourceVersion == "100")
    }

    @Test func cleanEndOfStreamResumesAtOnceFromTheLastSeenVersionIncludingBookmarks() {
        var machine = watching()
        _ = machine.watchEventReceived(.added(configMap("x", resourceVersion: "120")))
        _ = machine.watchEventReceived(.bookmark(resourceVersion: "180"))
        #expect(machine.watchEnded() == .watch(from: "180"))
        // The next stream too.
        _ = machine.watchEventReceived(.bookmark(resourceVersion: "190"))
        #expect(machine.watchEnded() == .watch(from: "190"))
    }

    @Test func aStreamThatEndsWithoutAnyEventIsReopenedAfterABackoff() {
        var machine = watching()
        #expect(machine.watchEnded() == .sleep(.milliseconds(200)))
        #expect(machine.state == .backingOff(.milliseconds(200), resume: .watch(resourceVersion: "100")))
        #expect(machine.resourceVersion == "100")
        #expect(machine.backoffElapsed() == .watch(from: "100"))
        #expect(machine.watchEnded() == .sleep(.milliseconds(400)))
        #expect(machine.backoffElapsed() == .watch(from: "100"))
        _ = machine.watchEventReceived(.bookmark(resourceVersion: "101"))
        #expect(machine.watchEnded() == .watch(from: "101"))
    }

    @Test func goneOnTheWatchRelistsFromScratchAtOnce() {
        var machine = watching([a, b])
        _ = machine.watchEventReceived(.bookmark(resourceVersion: "150"))
        #expect(machine.watchFailed(.gone) == .list(continue: nil))
        #expect(machine.state == .listing(continue: nil, items: []))
        #expect(machine.resourceVersion == nil)
        // The re-list's replace lets the store drop what was deleted meanwhile.
        #expect(
            machine.listPageReceived([b], resourceVersion: "300", continue: nil) == .replace([b], thenWatchFrom: "300"))
    }

    @Test func goneOnAListPageRestartsTheListWithoutTheStalePages() {
        var machine = machine()
        _ = machine.start()
        _ = machine.listPageReceived([a], resourceVersion: "50", continue: "t1")
        #expect(machine.listFailed(.gone) == .list(continue: nil))
        #expect(machine.state == .listing(continue: nil, items: []))
        #expect(
            machine.listPageReceived([b], resourceVersion: "60", continue: nil) == .replace([b], thenWatchFrom: "60"))
    }

    @Test func goneOnTheFirstListPageBacksOff() {
        var machine = machine()
        _ = machine.start()
        #expect(machine.listFailed(.gone) == .sleep(.milliseconds(200)))
        #expect(machine.backoffElapsed() == .list(continue: nil))
    }

    @Test func otherListErrorsBackOffAndRetryTheSamePageKeepingEarlierPages() {
        var machine = machine()
        _ = machine.start()
        _ = machine.listPageReceived([a], resourceVersion: "50", continue: "t1")
        #expect(machine.listFailed(.other) == .sleep(.milliseconds(200)))
        #expect(machine.state == .backingOff(.milliseconds(200), resume: .list(continue: "t1", items: [a])))
        #expect(machine.backoffElapsed() == .list(continue: "t1"))
        #expect(
            machine.listPageReceived([b], resourceVersion: "50", continue: nil)
                == .replace([a, b], thenWatchFrom: "50"))
    }

    @Test func failuresBeforeTheFirstListRetryTheList() {
        var machine = machine()
        _ = machine.start()
        #expect(machine.listFailed(.other) == .sleep(.milliseconds(200)))
        #expect(machine.backoffElapsed() == .list(continue: nil))
        #expect(machine.listFailed(.other) == .sleep(.milliseconds(400)))
        #expect(machine.backoffElapsed() == .list(continue: nil))
    }

    @Test func watchErrorsBackOffWithGrowingJitteredDelaysThenResumeFromTheLastVersion() {
        let random = ScriptedRandom([0.5, 0.25, 0, 1])
        var machine = machine(random: { random.next() }, jitter: 0.5)
        _ = machine.start()
        _ = machine.listPageReceived([a], resourceVersion: "100", continue: nil)
        _ = machine.watchEventReceived(.bookmark(resourceVersion: "140"))
        // 200 ms - 25 %, 400 ms - 12.5 %, 800 ms - 0 %, 1600 ms - 50 %.
        let expected: [Duration] = [.milliseconds(150), .milliseconds(350), .milliseconds(800), .milliseconds(800)]
        for delay in expected {
            #expect(machine.watchFailed(.other) == .sleep(delay))
            #expect(machine.resourceVersion == "140")
            #expect(machine.backoffElapsed() == .watch(from: "140"))
        }
        #expect(machine.backoff.attempt == 4)
    }

    @Test func backoffGrowsToTheCap() {
        var machine = watching()
        var delays: [Duration] = []
        for _ in 0..<12 {
            guard case .sleep(let delay) = machine.watchFailed(.other) else {
                Issue.record("expected a sleep")
                return
            }
            delays.append(delay)
            _ = machine.backoffElapsed()
        }
        #expect(delays.last == .seconds(30))
        #expect(delays == delays.sorted())
    }

    @Test func aWatchEventResetsTheBackoff() {
        var machine = watching()
        #expect(machine.watchFailed(.other) == .sleep(.milliseconds(200)))
        _ = machine.backoffElapsed()
        #expect(machine.watchFailed(.other) == .sleep(.milliseconds(400)))
        _ = machine.backoffElapsed()
        _ = machine.watchEventReceived(.added(configMap("n", resourceVersion: "101")))
        #expect(machine.backoff.attempt == 0)
        #expect(machine.watchFailed(.other) == .sleep(.milliseconds(200)))
    }

    @Test func aListPageResetsTheBackoff() {
        var machine = machine()
        _ = machine.start()
        _ = machine.listFailed(.other)
        _ = machine.backoffElapsed()
        _ = machine.listFailed(.other)
        _ = machine.backoffElapsed()
        _ = machine.listPageReceived([], resourceVersion: "9", continue: nil)
        #expect(machine.watchFailed(.other) == .sleep(.milliseconds(200)))
    }

    @Test func goneAfterAnErrorRelistsAndThenWatchesTheNewVersion() {
        var machine = watching([a])
        _ = machine.watchFailed(.other)
        #expect(machine.backoffElapsed() == .watch(from: "100"))
        #expect(machine.watchFailed(.gone) == .list(continue: nil))
        #expect(
            machine.listPageReceived([a, c], resourceVersion: "500", continue: nil)
                == .replace([a, c], thenWatchFrom: "500"))
        #expect(machine.watchEnded() == .sleep(.milliseconds(200)))  // the list reset the backoff
    }

    @Test func inputsThatDoNotFitTheStateRelist() {
        var machine = watching()
        #expect(machine.backoffElapsed() == .list(continue: nil))

        machine = watching()
        #expect(machine.listPageReceived([a], resourceVersion: "1", continue: nil) == .list(continue: nil))

        machine = watching()
        #expect(machine.listFailed(.other) == .list(continue: nil))

        var listing = self.machine()
        _ = listing.start()
        #expect(listing.watchEventReceived(.added(a)) == nil)
        #expect(listing.watchEnded() == .list(continue: nil))
        #expect(listing.watchFailed(.other) == .list(continue: nil))

        var fresh = self.machine()
        #expect(fresh.watchEnded() == .list(continue: nil))
    }

    @Test func startRestartsWithAFreshList() {
        var machine = watching([a])
        #expect(machine.start() == .list(continue: nil))
        #expect(machine.state == .listing(continue: nil, items: []))
    }
}
