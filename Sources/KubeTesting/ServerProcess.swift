import Foundation

/// One server (etcd, kube-apiserver, or an `airlock` process under test) running under a tiny
/// `/bin/sh` watchdog.
///
/// The watchdog starts the server with its output appended to `logFile`, then checks every
/// 0.5 s that both this process (its parent) and the server are alive; when this process is
/// gone — even killed by a signal, when no `atexit` handler runs — it stops the server
/// (TERM, then KILL after 10 s). Both pids are in `ChildProcessRegistry` for a normal exit.
public final class ServerProcess: Sendable {
    /// What to run: kept so the server can be started again the same way.
    public struct Command: Sendable {
        public var name: String
        public var executable: String
        public var arguments: [String]

        public init(name: String, executable: String, arguments: [String]) {
            self.name = name
            self.executable = executable
            self.arguments = arguments
        }
    }

    public let command: Command
    public let logFile: URL
    /// The server's own pid (the watchdog's child).
    public let pid: pid_t
    private let watchdog: Process

    private static let watchdogScript = """
        parent=$1 log=$2 pidfile=$3
        shift 3
        exec >>"$log" 2>&1
        "$@" &
        child=$!
        echo "$child" >"$pidfile"
        trap 'kill -TERM "$child" 2>/dev/null' TERM INT
        while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.5; done
        kill -TERM "$child" 2>/dev/null
        i=0
        while kill -0 "$child" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.5; i=$((i+1)); done
        kill -KILL "$child" 2>/dev/null
        wait "$child"
        """

    private init(command: Command, logFile: URL, pid: pid_t, watchdog: Process) {
        self.command = command
        self.logFile = logFile
        self.pid = pid
        self.watchdog = watchdog
    }

    /// Starts `command` in `directory` under a watchdog; returns once the server's pid is known.
    public static func launch(_ command: Command, in directory: URL) async throws -> ServerProcess {
        let logFile = directory.appendingPathComponent("\(command.name).log")
        let pidFile = directory.appendingPathComponent("\(command.name).pid")
        try? FileManager.default.removeItem(at: pidFile)
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments =
            [
                "-c", watchdogScript, "airlock-watchdog", String(getpid()), logFile.path, pidFile.path,
                command.executable,
            ]
            + command.arguments
        watchdog.currentDirectoryURL = directory
        watchdog.standardInput = FileHandle.nullDevice
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        do {
            try watchdog.run()
        } catch {
            throw KubeTestingError(.startFailed, "cannot start /bin/sh for \(command.name): \(error)")
        }
        ChildProcessRegistry.register(pid: watchdog.processIdentifier)
        let pid: pid_t
        do {
            pid = try await eventuallyValue(
                "\(command.name) pid file", timeout: .seconds(10), interval: .milliseconds(10)
            ) {
                // Absent or half-written until the watchdog has started the server.
                (try? String(contentsOf: pidFile, encoding: .utf8))
                    .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }
        } catch {
            Foundation.kill(watchdog.processIdentifier, SIGKILL)
            ChildProcessRegistry.unregister(pid: watchdog.processIdentifier)
            throw error
        }
        ChildProcessRegistry.register(pid: pid)
        return ServerProcess(command: command, logFile: logFile, pid: pid, watchdog: watchdog)
    }

    /// Whether the server (and its watchdog) still run.
    public var isRunning: Bool { !watchdog.hasExited }

    /// SIGKILL, as a crash or an OOM kill would; returns once the watchdog noticed.
    public func kill() async {
        defer {
            ChildProcessRegistry.unregister(pid: pid)
            ChildProcessRegistry.unregister(pid: watchdog.processIdentifier)
        }
        Foundation.kill(pid, SIGKILL)
        _ = await waitForExit(timeout: .seconds(5))
    }

    /// Stops the server: TERM, then KILL if it is still there after `timeout`. Returns once
    /// the watchdog has exited (it outlives the server).
    public func stop(timeout: Duration = .seconds(15)) async {
        defer {
            ChildProcessRegistry.unregister(pid: pid)
            ChildProcessRegistry.unregister(pid: watchdog.processIdentifier)
        }
        guard isRunning else { return }
        Foundation.kill(pid, SIGTERM)
        if await waitForExit(timeout: timeout) { return }
        Foundation.kill(pid, SIGKILL)
        Foundation.kill(watchdog.processIdentifier, SIGKILL)
        _ = await waitForExit(timeout: .seconds(5))
    }

    /// Polls until the watchdog has exited; false when `timeout` passed first.
    private func waitForExit(timeout: Duration) async -> Bool {
        do {
            try await eventually("\(command.name) to exit", timeout: timeout, interval: .milliseconds(20)) {
                watchdog.hasExited
            }
            return true
        } catch {
            return false
        }
    }

    /// The last `lines` lines of the server's output.
    public func logTail(lines: Int = 40) -> String {
        guard let text = try? String(contentsOf: logFile, encoding: .utf8) else { return "(no log at \(logFile.path))" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}
