import Foundation
import Synchronization

/// The demo's terminal output: one line per event, with the seconds since the demo started —
/// since `hack/run.sh` started when it says so (`AIRLOCK_DEMO_STARTED_AT`, Unix seconds), so
/// the figures include building and starting the binaries. Also keeps the two measured times:
/// to the first card shown, and the whole walk-through.
final class DemoProgress: Sendable {
    /// Set when a scripted walk-through fails: the process then exits 1.
    let failed = Atomic<Bool>(false)

    private let start: Date
    private let marks = Mutex<(steps: Int, firstCard: TimeInterval?, walkStart: TimeInterval?)>((0, nil, nil))

    init(start: Date) {
        self.start = start
    }

    static func fromEnvironment() -> DemoProgress {
        let started = ProcessInfo.processInfo.environment["AIRLOCK_DEMO_STARTED_AT"].flatMap(TimeInterval.init)
        return DemoProgress(start: started.map(Date.init(timeIntervalSince1970:)) ?? Date())
    }

    var elapsed: TimeInterval { Date().timeIntervalSince(start) }

    /// A line of context.
    func say(_ text: String) {
        write("[demo \(String(format: "%6.1f", elapsed))s] \(text)")
    }

    /// A numbered step of the walk-through.
    func step(_ text: String) {
        let number = marks.withLock { marks -> Int in
            marks.steps += 1
            if marks.walkStart == nil { marks.walkStart = elapsed }
            return marks.steps
        }
        say("\(number). \(text)")
    }

    /// A detail under the current step.
    func detail(_ text: String) {
        write("              \(text)")
    }

    /// Records the first card shown; returns the seconds since start.
    @discardableResult
    func cardShown() -> TimeInterval {
        let now = elapsed
        return marks.withLock { marks in
            if marks.firstCard == nil { marks.firstCard = now }
            return marks.firstCard ?? now
        }
    }

    /// The measured figures, in one line a script can grep.
    func summary() {
        let (firstCard, walkStart) = marks.withLock { ($0.firstCard, $0.walkStart) }
        let total = elapsed
        let card = firstCard.map { String(format: "%.1f s", $0) } ?? "n/a"
        let walk = walkStart.map { String(format: "%.1f s", total - $0) } ?? "n/a"
        say(
            "Timing: first card shown \(card) after start; walk-through \(walk); total \(String(format: "%.1f s", total))"
        )
    }

    private func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
