import Foundation
import Synchronization

/// The server processes and directories of every running control plane, cleaned up by an
/// `atexit` handler when this process exits normally (a failed test, too). When it dies from
/// a signal instead, each server's `/bin/sh` watchdog notices within half a second and stops
/// the server (see `ServerProcess`).
enum ChildProcessRegistry {
    private struct State {
        var pids: Set<pid_t> = []
        var directories: Set<String> = []
        var handlerInstalled = false
    }

    private static let state = Mutex(State())

    static func register(pid: pid_t) {
        installHandler()
        state.withLock { _ = $0.pids.insert(pid) }
    }

    static func unregister(pid: pid_t) {
        state.withLock { _ = $0.pids.remove(pid) }
    }

    static func register(directory: String) {
        installHandler()
        state.withLock { _ = $0.directories.insert(directory) }
    }

    static func unregister(directory: String) {
        state.withLock { _ = $0.directories.remove(directory) }
    }

    private static func installHandler() {
        let install = state.withLock { state in
            defer { state.handlerInstalled = true }
            return !state.handlerInstalled
        }
        if install { atexit { ChildProcessRegistry.cleanUp() } }
    }

    /// Kills every registered process, waits up to 2 s for them to go, removes the
    /// directories (unless `AIRLOCK_KEEP_TEST_CLUSTER` is set).
    private static func cleanUp() {
        let (pids, directories) = state.withLock { state in
            defer {
                state.pids = []
                state.directories = []
            }
            return (state.pids, state.directories)
        }
        for pid in pids { kill(pid, SIGKILL) }
        let deadline = Date() + 2
        while Date() < deadline, pids.contains(where: { kill($0, 0) == 0 }) { usleep(20_000) }
        guard ProcessInfo.processInfo.environment["AIRLOCK_KEEP_TEST_CLUSTER"] == nil else { return }
        for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
    }
}
