import Foundation
import KubeTesting
import Synchronization

/// Runs the built `airlock` binary as a separate process, as one user of the test control
/// plane's kubeconfig (`--context USER`), under KubeTesting's watchdog (`ServerProcess`): a
/// process left running when the test process dies is stopped within half a second.
///
/// stdout and stderr are kept apart (a small `sh` wrapper sends stderr to its own file and
/// records the exit code, forwarding TERM to the binary).
final class CLIRunner: Sendable {
    static let binary = ControllerProcessTests.binary

    let kubeconfig: String
    let directory: URL
    private let counter = Atomic<Int>(0)

    init(plane: TestControlPlane) throws {
        kubeconfig = plane.kubeconfigPath
        directory = plane.directory.appendingPathComponent("cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// The outcome of one run.
    struct Result: CustomStringConvertible {
        var code: Int32
        var stdout: String
        var stderr: String

        var description: String { "exit \(code)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }

        /// stdout decoded as JSON.
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
                throw KubeTestingError(.other, "stdout is not a JSON object: \(stdout)")
            }
            return object
        }
    }

    /// A started process.
    struct Running: Sendable {
        let process: ServerProcess
        let codeFile: URL
        let errorFile: URL

        /// Waits for the process to exit (polling, up to `timeout`) and returns what it did.
        func result(timeout: Duration = .seconds(60)) async throws -> Result {
            do {
                try await eventually(
                    "airlock \(process.command.name) to exit", timeout: timeout, interval: .milliseconds(20)
                ) {
                    FileManager.default.fileExists(atPath: codeFile.path)
                }
            } catch {
                await process.stop()
                throw error
            }
            let code = try String(contentsOf: codeFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            await process.stop()
            return Result(
                code: Int32(code) ?? -1, stdout: (try? String(contentsOf: process.logFile, encoding: .utf8)) ?? "",
                stderr: (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
        }
    }

    /// Runs the binary in a session of its own (`setsid`, so TERM reaches it as a group),
    /// records its exit code, and waits by polling: the test runner's children inherit a
    /// blocked SIGCHLD, which makes `sh`'s `wait` hang.
    private static let wrapper = """
        bin=$1
        export ERR="$2" CODE="$3"
        shift 3
        setsid /bin/sh -c '"$@" 2>"$ERR" </dev/null; echo "$?" >"$CODE.tmp" && mv "$CODE.tmp" "$CODE"' run "$bin" "$@" &
        group=$!
        trap 'kill -TERM -"$group" 2>/dev/null; exit 143' TERM INT
        while [ ! -f "$CODE" ]; do sleep 0.02; done
        """

    /// Starts `airlock ARGUMENTS` as `user` (no `--context` when nil). `executable` replaces
    /// the binary (a `kubectl-airlock` link).
    func start(_ arguments: [String], as user: String?, executable: String = CLIRunner.binary) async throws -> Running {
        let index = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        let name = "airlock-\(index)-\(arguments.first ?? "none")"
        let codeFile = directory.appendingPathComponent("\(name).code")
        let errorFile = directory.appendingPathComponent("\(name).stderr")
        let cluster = user.map { ["--kubeconfig", kubeconfig, "--context", $0] } ?? []
        let process = try await ServerProcess.launch(
            ServerProcess.Command(
                name: name, executable: "/bin/sh",
                arguments: ["-c", Self.wrapper, "airlock-cli", executable, errorFile.path, codeFile.path]
                    + arguments + cluster),
            in: directory)
        return Running(process: process, codeFile: codeFile, errorFile: errorFile)
    }

    /// Runs `airlock ARGUMENTS` as `user` to its end.
    func run(_ arguments: [String], as user: String?, timeout: Duration = .seconds(60)) async throws -> Result {
        try await start(arguments, as: user).result(timeout: timeout)
    }
}
