import Foundation

/// Latency samples and their percentiles.
struct Samples {
    private(set) var values: [Duration] = []

    mutating func add(_ value: Duration) { values.append(value) }

    func percentile(_ p: Double) -> Duration {
        guard !values.isEmpty else { return .zero }
        let sorted = values.sorted()
        let index = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[index]
    }

    var summary: String {
        "p50 \(Self.ms(percentile(50))) ms, p99 \(Self.ms(percentile(99))) ms, max \(Self.ms(percentile(100))) ms (n=\(values.count))"
    }

    static func ms(_ duration: Duration) -> String {
        String(
            format: "%.1f", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }
}

/// Expiry lateness by when each grant was due, so a tail can be placed in the wave of endings:
/// one late window is a stall of the whole machine, late samples everywhere are not.
struct DueWindows {
    private var samples: [(due: Date, late: Duration)] = []

    mutating func add(due: Date, late: Duration) { samples.append((due, late)) }

    /// The window of `width` (counted from the first due time) holding the latest expiry.
    func latest(width: TimeInterval = 0.25) -> (from: TimeInterval, to: TimeInterval, samples: Samples)? {
        guard let first = samples.map(\.due).min(), let worst = samples.max(by: { $0.late < $1.late }) else {
            return nil
        }
        func window(_ due: Date) -> Double { (due.timeIntervalSince(first) / width).rounded(.down) }
        let index = window(worst.due)
        var inside = Samples()
        for sample in samples where window(sample.due) == index { inside.add(sample.late) }
        return (index * width, (index + 1) * width, inside)
    }
}

/// Resident memory of this process from /proc/self/status (Linux), in MB.
enum Memory {
    static func field(_ name: String) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first
            return kilobytes.map { $0 / 1024 }
        }
        return nil
    }

    /// Current resident set.
    static var residentMB: Double { field("VmRSS") ?? 0 }
    /// High-water mark of the resident set.
    static var peakMB: Double { field("VmHWM") ?? 0 }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Runs `count` operations with at most `width` in flight.
func concurrently(_ count: Int, width: Int, _ operation: @escaping @Sendable (Int) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        while next < min(width, count) {
            let index = next
            group.addTask { try await operation(index) }
            next += 1
        }
        while try await group.next() != nil {
            if next < count {
                let index = next
                group.addTask { try await operation(index) }
                next += 1
            }
        }
    }
}

/// How far the wall clock moved against the monotonic one over a stretch of a run. Expiry
/// lateness is wall time (`expiresAt` against the moment a deletion is seen), and a VM's wall
/// clock can be pulled in while a run goes (docs/performance.md).
struct WallClockDrift {
    private let wall = Date()
    private let monotonic = ContinuousClock.now

    /// "+80.0 ms in 35.2 s": the wall clock's lead over the monotonic clock since this began.
    var summary: String {
        let seconds = monotonic.duration(to: ContinuousClock.now).seconds
        let drift = (Date().timeIntervalSince(wall) - seconds) * 1000
        return String(format: "%+.1f ms in %.1f s", drift, seconds)
    }
}
