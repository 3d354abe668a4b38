import Dispatch
import Testing

@testable import KubeRuntime

/// An actor on a ``DispatchQueueExecutor`` runs its work one job at a time, on that queue.
struct DispatchQueueExecutorTests {
    actor Counter {
        private let executor = DispatchQueueExecutor(label: "test.counter")
        nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
        private(set) var count = 0
        private(set) var overlapped = false
        private var inside = false

        func increment() {
            overlapped = overlapped || inside
            inside = true
            count += 1
            inside = false
        }

        /// Whether this runs isolated to the executor's queue (not the cooperative pool).
        func isOnItsQueue() -> Bool {
            executor.isCurrent
        }
    }

    @Test func jobsRunSeriallyOnTheQueue() async {
        let counter = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<1_000 { group.addTask { await counter.increment() } }
        }
        #expect(await counter.count == 1_000)
        #expect(await !counter.overlapped)
        #expect(await counter.isOnItsQueue())
    }
}
