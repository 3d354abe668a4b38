import Foundation
import KubeTesting

extension BenchEnvironment {
    /// How long after a collection's mark a lifecycle still counts as caught by it: the writes
    /// queued during the mark drain after it.
    static let markTail: TimeInterval = 0.25

    /// The API server's garbage collections while a workload created its requests (`lc-0`…)
    /// and while their grants came due, and whether the slowest grants and latest expiries
    /// fell in one: on two shared cores a collection's mark takes most of the machine
    /// (docs/performance.md). Empty when the control plane does not trace its collections.
    func collectionsReport(_ observer: LifecycleObserver, count: Int, expiries: Bool = true) -> [String] {
        guard plane.configuration.traceAPIServerCollections else { return [] }
        let collections = plane.apiServerCollections()
        let lifecycles = (0..<count).map { observer.times(of: "lc-\($0)") }
        let grants = lifecycles.compactMap { times in
            times.sent.flatMap { sent in times.granted.map { (at: sent, took: $0.timeIntervalSince(sent)) } }
        }
        let endings = lifecycles.compactMap { times in
            times.expiresAt.flatMap { due in times.revoked.map { (at: due, took: $0.timeIntervalSince(due)) } }
        }
        var lines = Self.collectionsLines(
            collections, over: grants, while: "created", caught: "slowest", in: "created during")
        if expiries {
            lines += Self.collectionsLines(
                collections, over: endings, while: "came due", caught: "latest expiries", in: "due during")
        }
        return lines
    }

    /// Two lines: the collections whose mark overlapped `samples` (each a time and how long
    /// it took), and how many of the 10 that took longest fell in a mark, against all.
    static func collectionsLines(
        _ all: [GoCollection], over samples: [(at: Date, took: TimeInterval)], while doing: String, caught: String,
        in phrase: String
    ) -> [String] {
        guard let first = samples.map(\.at).min(), let last = samples.map(\.at).max() else { return [] }
        let collections = all.filter { $0.markEnd >= first && $0.start <= last }
        guard !collections.isEmpty else { return ["  the API server's garbage collections while they \(doing): none"] }
        let inMark = { (date: Date) in
            collections.contains { $0.start <= date && date <= $0.markEnd.addingTimeInterval(markTail) }
        }
        let worst = samples.sorted { $0.took > $1.took }.prefix(10)
        let share = Double(samples.filter { inMark($0.at) }.count) / Double(samples.count)
        let marks = collections.map { String(format: "%.2f", $0.mark.seconds) }.joined(separator: " / ")
        let heaps = collections.map { "\($0.liveMegabytes)" }.joined(separator: " / ")
        return [
            "  the API server's garbage collections while they \(doing): \(collections.count), marking \(marks) s"
                + " (live heap after: \(heaps) MB)",
            "    \(phrase) a mark or \(Int(markTail * 1000)) ms after it: \(worst.filter { inMark($0.at) }.count)"
                + " of the \(worst.count) \(caught), \(String(format: "%.0f", share * 100)) % of all",
        ]
    }
}
