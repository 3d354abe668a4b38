import Foundation
import KubeClient

/// One garbage collection of a Go server, as its runtime logs it with `GODEBUG=gctrace=1`:
/// `gc 56 @40.024s 3%: 0.16+554+0.003 ms clock, … 656->712->411 MB, 713 MB goal, 2 P`.
///
/// On a machine whose cores the server shares, the concurrent mark is when everything else
/// waits longest: the runtime gives it a quarter of the server's processors and has busy
/// goroutines help, so it can take most of two cores for as long as it runs.
public struct GoCollection: Sendable, Hashable {
    /// The collection's number in the process.
    public var number: Int
    /// When it began (wall clock).
    public var start: Date
    /// How long its concurrent mark and scan ran (wall clock).
    public var mark: Duration
    /// The heap marked live, in MB.
    public var liveMegabytes: Int

    /// When its mark ended.
    public var markEnd: Date { start.addingTimeInterval(mark.seconds) }

    /// The collections logged in `log` by a process that started at `processStart`; other
    /// lines (and lines cut short) are skipped.
    public static func parse(log: String, processStart: Date) -> [GoCollection] {
        log.split(separator: "\n").compactMap { parse(line: $0, processStart: processStart) }
    }

    static func parse(line: Substring, processStart: Date) -> GoCollection? {
        let fields = line.split(separator: " ")
        // gc N @S.SSSs P%: A+B+C ms clock, …
        guard fields.count > 6, fields[0] == "gc", let number = Int(fields[1]),
            fields[2].hasPrefix("@"), fields[2].hasSuffix("s"),
            let since = Double(fields[2].dropFirst().dropLast()),
            fields[5] == "ms", fields[6] == "clock,"
        else { return nil }
        let phases = fields[4].split(separator: "+")
        guard phases.count == 3, let mark = Double(phases[1]) else { return nil }
        // … START->END->LIVE MB, …
        guard let heap = fields.indices.first(where: { fields[$0].contains("->") && fields.indices.contains($0 + 1) }),
            fields[heap + 1].hasPrefix("MB"),
            let live = fields[heap].split(separator: ">").last.flatMap({ Int($0) })
        else { return nil }
        return GoCollection(
            number: number, start: processStart.addingTimeInterval(since), mark: .milliseconds(mark),
            liveMegabytes: live)
    }

    /// When process `pid` started, from `/proc` (Linux; to the kernel's clock tick). The
    /// start is counted from boot; it is placed on the wall clock by reading both clocks now.
    public static func startTime(of pid: Int32) -> Date? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.range(of: ")", options: .backwards)
        else { return nil }
        // Fields after the name, from the state (field 3): the start time is field 22.
        let fields = stat[afterName.upperBound...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
        var boot = timespec()
        guard clock_gettime(CLOCK_BOOTTIME, &boot) == 0 else { return nil }
        let sinceBoot = Double(boot.tv_sec) + Double(boot.tv_nsec) / 1e9
        return Date().addingTimeInterval(ticks / Double(sysconf(Int32(_SC_CLK_TCK))) - sinceBoot)
    }
}

extension TestControlPlane {
    /// The API server's garbage collections so far; empty unless the configuration traces
    /// them (``Configuration/traceAPIServerCollections``).
    public nonisolated func apiServerCollections() -> [GoCollection] {
        let text = { (name: String) in
            let data = try? Data(contentsOf: self.directory.appendingPathComponent(name))
            return String(decoding: data ?? Data(), as: UTF8.self)
        }
        guard configuration.traceAPIServerCollections,
            let pid = Int32(text("kube-apiserver.pid").trimmingCharacters(in: .whitespacesAndNewlines)),
            let start = GoCollection.startTime(of: pid)
        else { return [] }
        return GoCollection.parse(log: text("kube-apiserver.log"), processStart: start)
    }
}
