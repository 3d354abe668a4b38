import Foundation
import Logging
import Synchronization

/// Issue 14's log sweep: every log line of a test process — at every level, printed or not —
/// is checked with a ``SecretScanner`` for the secrets the tests use (registered by
/// ``TestControlPlane`` and ``FakeSlackServer``) and for credential shapes.
///
/// ``install()`` bootstraps swift-log once for the process (tests only; the first cluster test
/// does it through ``TestControlPlane/shared()``). Lines at or above a logger's level are
/// printed to stderr as before. A finding is
/// printed at once as `[log sweep] FOUND …` (what, where — never the value), and the totals at
/// exit; `hack/test.sh` fails the run on either.
public enum LogSweep {
    struct State {
        var scanner = SecretScanner()
        var installed = false
        var lines = 0
        var findings: [String] = []
    }

    static let state = Mutex(State())

    /// Installs the sweeping log handler, once per process.
    public static func install() {
        let first = state.withLock { state -> Bool in
            defer { state.installed = true }
            return !state.installed
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in SweepingLogHandler(label: label) }
        atexit {
            let (lines, findings, secrets) = LogSweep.state.withLock {
                ($0.lines, $0.findings.count, $0.scanner.known.count)
            }
            FileHandle.standardError.write(
                Data(
                    "[log sweep] \(lines) log lines (every level) checked for \(secrets) secrets and \(SecretScanner.patterns.count) credential shapes: \(findings) findings\n"
                        .utf8))
        }
    }

    /// Registers a secret value the tests use (a token, a signing secret).
    public static func register(_ value: String, as name: String) {
        state.withLock { $0.scanner.add(value, as: name) }
    }

    /// Lines checked so far, and what was found.
    public static var summary: (lines: Int, findings: [String]) {
        state.withLock { ($0.lines, $0.findings) }
    }

    /// Checks one line (with its metadata) from logger `label`.
    static func check(_ text: String, label: String) {
        let scanner = state.withLock { state -> SecretScanner in
            state.lines += 1
            return state.scanner
        }
        let found = scanner.findings(in: text)
        guard !found.isEmpty else { return }
        let finding = "\(found.joined(separator: ", ")) in a log line of \(label)"
        state.withLock { $0.findings.append(finding) }
        FileHandle.standardError.write(Data("[log sweep] FOUND \(finding)\n".utf8))
    }
}

/// Hands every message to ``LogSweep`` and prints those at or above its level, formatted as
/// swift-log's stream handler does. It reports `.trace` as its level, so that loggers pass it
/// every message; the level set on it only decides what is printed.
struct SweepingLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    var printedLevel: Logger.Level = .info

    init(label: String) { self.label = label }

    var logLevel: Logger.Level {
        get { .trace }
        set { printedLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let text = fields.isEmpty ? event.message.description : "\(fields) \(event.message.description)"
        LogSweep.check(text, label: label)
        guard event.level >= printedLevel else { return }
        FileHandle.standardError.write(Data("\(Date()) \(event.level) \(label) : \(text)\n".utf8))
    }
}
