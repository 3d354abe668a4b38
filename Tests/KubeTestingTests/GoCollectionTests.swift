import Foundation
import KubeTesting
import Testing

@Suite struct GoCollectionTests {
    let processStart = Date(timeIntervalSince1970: 1_796_439_600)

    @Test func readsWhenEachCollectionBeganHowLongItMarkedAndTheLiveHeap() throws {
        let log = """
            I1205 04:40:06.153199   10623 server.go:632] external host was not specified, using 127.0.0.1
            gc 1 @0.008s 2%: 0.010+3.1+0.041 ms clock, 0.020+0/0.41/0.65+0.082 ms cpu, 3->3->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
            gc 56 @40.024s 6%: 0.16+554+0.003 ms clock, 0.33+172/289/28+0.006 ms cpu, 656->712->411 MB, 710 MB goal, 7 MB stacks, 0 MB globals, 2 P
            gc 57 @41.671s 7%: 0.11+765+0.042 ms clock, 0.22+120/410/9.1+0.084 ms cpu, 702->804->445 MB, 822 MB goal, 2 P (forced)
            """
        let collections = GoCollection.parse(log: log, processStart: processStart)
        #expect(collections.map(\.number) == [1, 56, 57])
        #expect(collections.map(\.liveMegabytes) == [1, 411, 445])
        #expect(collections.map(\.mark) == [.milliseconds(3.1), .milliseconds(554), .milliseconds(765)])
        let second = try #require(collections.dropFirst().first)
        #expect(abs(second.start.timeIntervalSince(processStart) - 40.024) < 1e-6)
        #expect(abs(second.markEnd.timeIntervalSince(processStart) - 40.578) < 1e-6)
    }

    @Test func skipsOtherLinesAndLinesCutShort() {
        let log = """
            gc 12 @3.5s 1%: 0.1+20
            gc twelve @3.5s 1%: 0.1+20+0.1 ms clock, 0.2+0/1/2+0.1 ms cpu, 30->31->20 MB, 40 MB goal, 2 P
            gc 13 @3.9s 1%: 0.1+20+0.1 ms clock, 0.2+0/1/2+0.1 ms cpu, 30->31->
            scvg: 0 MB released
            gc 14 @4.2s 1%: 0.1+20+0.1 ms clock, 0.2+0/1/2+0.1 ms cpu, 30->31->21 MB, 40 MB goal, 2 P
            """
        #expect(GoCollection.parse(log: log, processStart: processStart).map(\.number) == [14])
    }

    @Test func aProcessStartTimeComesFromProc() throws {
        let start = try #require(GoCollection.startTime(of: getpid()))
        // This process started before now, and (as a test run) not days ago.
        #expect(start <= Date())
        #expect(start > Date().addingTimeInterval(-86_400))
    }
}
