import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Synchronization
import Testing

/// The `airlock controller` binary, started and SIGKILLed at will, and restarted when it
/// exits on its own (as a kubelet would). One replica; ``ChaosTests`` runs two as leader
/// election candidates.
final class CrashingController: Sendable {
    struct Settings: Sendable {
        /// Airlock's own namespace (signing key, Lease, chat settings).
        var namespace: String
        /// Where requests are watched.
        var watchNamespace: String
        var auditFile: String
        /// Replica name: the start of its leader-election identity (`POD_NAME`) and of its logs.
        var name = "controller"
        /// A Lease name: the replica is a candidate with `leaseDuration`; nil: no election.
        var leaseName: String?
        var leaseDuration = "15s"
        var kubeconfig: String
        /// Extra flags (Slack).
        var arguments: [String] = []
        /// Whether it serves the chat listener (`--chat-port`).
        var chat = false
        var logLevel = "warning"
    }

    struct State {
        var process: Process?
        var kills = 0
        var starts = 0
        var exits = 0
        var chatPort: Int?
        var metricsPort: Int?
        var logs: [URL] = []
    }

    let plane: TestControlPlane
    let settings: Settings
    private let state = Mutex(State())

    init(plane: TestControlPlane, settings: Settings) {
        self.plane = plane
        self.settings = settings
    }

    /// One replica for `namespace` (its own namespace and the one it watches), no election.
    convenience init(plane: TestControlPlane, namespace: String, auditFile: String) {
        self.init(
            plane: plane,
            settings: Settings(
                namespace: namespace, watchNamespace: namespace, auditFile: auditFile, kubeconfig: plane.kubeconfigPath)
        )
    }

    var kills: Int { state.withLock { $0.kills } }
    /// Exits it was not killed for (restarted by ``restartIfExited()``).
    var exits: Int { state.withLock { $0.exits } }
    var isRunning: Bool { state.withLock { $0.process.map { !$0.hasExited } ?? false } }
    /// The chat listener's port of the running process.
    var chatPort: Int? { state.withLock { $0.process?.hasExited == false ? $0.chatPort : nil } }
    /// Every log file this replica wrote (one per start).
    var logFiles: [URL] { state.withLock { $0.logs } }

    /// Starts the process unless it runs.
    func start() throws {
        guard !isRunning else { return }
        let ports = try FreePort.loopback(count: 3)
        let starts = state.withLock { state -> Int in
            state.starts += 1
            return state.starts
        }
        let log = plane.directory.appendingPathComponent("\(settings.watchNamespace)-\(settings.name)-\(starts).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ControllerProcessTests.binary)
        var arguments = [
            "controller", "--kubeconfig", settings.kubeconfig, "--context", "controller", "--namespace",
            settings.namespace, "--watch-namespace", settings.watchNamespace, "--controller-username", "controller",
            "--metrics-port", "\(ports[0])", "--webhook-port", "\(ports[1])", "--webhook-ip", "127.0.0.1",
            "--no-verify-webhooks", "--audit-file", settings.auditFile, "--sweep-interval", "5s", "--log-level",
            settings.logLevel,
        ]
        if let lease = settings.leaseName {
            arguments += ["--lease-name", lease, "--lease-duration", settings.leaseDuration]
        } else {
            arguments.append("--no-leader-elect")
        }
        if settings.chat { arguments += ["--chat-port", "\(ports[2])"] }
        process.arguments = arguments + settings.arguments
        var environment = ProcessInfo.processInfo.environment
        environment["POD_NAME"] = settings.name
        process.environment = environment
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        state.withLock {
            $0.process = process
            $0.chatPort = settings.chat ? ports[2] : nil
            $0.metricsPort = ports[0]
            $0.logs.append(log)
        }
    }

    /// Waits until the running process answers `/readyz` (its caches synced) and returns how
    /// long that took: a start is slow on a loaded machine (a debug build makes its webhook
    /// certificate and syncs its caches), and a replica killed before it is ready never worked.
    func waitUntilReady(timeout: Duration = .seconds(60)) async throws -> Duration {
        let began = ContinuousClock.now
        let port = try #require(state.withLock { $0.metricsPort }, "the controller was never started")
        let probe = try KubernetesClient(
            configuration: ClientConfiguration(server: URL(string: "http://127.0.0.1:\(port)")!, rateLimit: nil))
        do {
            try await eventually("\(settings.name) ready", timeout: timeout, interval: .milliseconds(100)) {
                guard self.isRunning else { return true }  // exited: the caller restarts it
                return (try? await probe.raw(KubeRequest(method: .get, path: "/readyz")).status) == 200
            }
        } catch {
            try await probe.shutdown()
            throw error
        }
        try await probe.shutdown()
        return ContinuousClock.now - began
    }

    /// SIGKILLs the process; false if it was not running.
    @discardableResult
    func kill() -> Bool {
        state.withLock { state in
            guard let process = state.process, !process.hasExited else { return false }
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.blockUntilExited()
            state.kills += 1
            state.process = nil
            return true
        }
    }

    /// Starts it again when it exited by itself; true if it did.
    @discardableResult
    func restartIfExited() throws -> Bool {
        let exited = state.withLock { state -> Bool in
            guard let process = state.process, process.hasExited else { return false }
            state.exits += 1
            state.process = nil
            return true
        }
        if exited { try start() }
        return exited
    }

    /// The end of the latest start's log: why a process exited on its own.
    func lastLogTail(bytes: Int = 2048) -> String {
        guard let log = logFiles.last, let data = FileManager.default.contents(atPath: log.path) else { return "" }
        return String(decoding: data.suffix(bytes), as: UTF8.self)
    }

    func stopForGood() {
        state.withLock { state in
            guard let process = state.process, !process.hasExited else { return }
            process.terminate()
            process.blockUntilExited()
            state.process = nil
        }
    }
}

/// A small deterministic generator (SplitMix64), so a failing schedule can be replayed.
struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`.
    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
}
