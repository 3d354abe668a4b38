import Foundation
import Synchronization

/// When Airlock's admission webhooks were missing or altered, as the controller saw it: the
/// requests and reviews created in such a window are not acted on (their identities and
/// immutability were not guaranteed by the webhook).
///
/// A window opens `margin` before the change was observed (the watch sees it a little after
/// it happened) and closes when the configurations are whole again.
public final class AdmissionIntegrity: Sendable {
    struct Window: Sendable {
        var start: Date
        var end: Date?
    }

    private let windows = Mutex<[Window]>([])
    private let lastProblems = Mutex<[String]>([])
    /// How far before an observed break a window starts.
    public let margin: TimeInterval

    public init(margin: TimeInterval = 10) {
        self.margin = margin
    }

    /// Whether the webhooks are whole now.
    public var isIntact: Bool { windows.withLock { $0.last.map { $0.end != nil } ?? true } }

    /// What was wrong at the last observation (empty when whole).
    public var problems: [String] { lastProblems.withLock { $0 } }

    /// Records what was observed at `now`: whole (no `problems`) or not.
    public func observe(problems: [String], at now: Date) {
        lastProblems.withLock { $0 = problems }
        let intact = problems.isEmpty
        windows.withLock { windows in
            let open = windows.last.map { $0.end == nil } ?? false
            if intact, open {
                windows[windows.count - 1].end = now
            } else if !intact, !open {
                windows.append(Window(start: now.addingTimeInterval(-margin), end: nil))
                if windows.count > 1000 { windows.removeFirst(windows.count - 1000) }
            }
        }
    }

    /// Whether an object created at `createdAt` falls in a window.
    public func isUnverified(createdAt: Date?) -> Bool {
        guard let createdAt else { return false }
        return windows.withLock { windows in
            windows.contains { createdAt >= $0.start && ($0.end.map { createdAt <= $0 } ?? true) }
        }
    }
}
