import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Synchronization

/// The `airlock controller` binary as shipped, run out of process against the bench's
/// control plane, with what the bench reads of it: readiness, its API calls (Prometheus
/// counter `airlock_rest_client_requests_total`, Events excluded), CPU time and resident memory
/// (from /proc).
final class ShippedController: Sendable {
    let binary: String
    let plane: TestControlPlane
    let namespace: String
    let webhookPort: Int
    let extraArguments: [String]
    private let state = Mutex<(process: ServerProcess?, metricsPort: Int, starts: Int)>((nil, 0, 0))
    /// Extra `--log-level` etc. for debugging a run (AIRLOCK_BENCH_LOG=info).
    private let logLevel = ProcessInfo.processInfo.environment["AIRLOCK_BENCH_LOG"] ?? "warning"

    init(binary: String, plane: TestControlPlane, namespace: String, webhookPort: Int, extraArguments: [String]) {
        self.binary = URL(fileURLWithPath: binary).standardizedFileURL.path
        self.plane = plane
        self.namespace = namespace
        self.webhookPort = webhookPort
        self.extraArguments = extraArguments
    }

    /// Starts the process (as the `controller` user, with the shipped defaults) under a
    /// watchdog (it never outlives the bench) and waits until it is ready.
    func start() async throws {
        let metricsPort = try FreePort.loopback(count: 1)[0]
        // Every start is the same pod's container restarted (as after an OOM kill): the pod
        // name stays, as Kubernetes keeps it. The process inherits it.
        setenv("POD_NAME", "airlock-bench-0", 1)
        let starts = state.withLock { state -> Int in
            state.starts += 1
            return state.starts
        }
        let process = try await ServerProcess.launch(
            ServerProcess.Command(
                name: "controller-\(starts)", executable: binary,
                arguments: [
                    "controller", "--kubeconfig", plane.kubeconfigPath, "--context", "controller", "--namespace",
                    namespace, "--controller-username", "controller", "--metrics-port", "\(metricsPort)",
                    "--webhook-port", "\(webhookPort)", "--webhook-ip", "127.0.0.1",
                    "--webhook-url", "https://127.0.0.1:\(webhookPort)", "--log-level", logLevel,
                ] + extraArguments), in: plane.directory)
        state.withLock {
            $0.process = process
            $0.metricsPort = metricsPort
        }
        progress("controller pid \(process.pid), waiting until ready on port \(metricsPort)")
        let probe = try KubernetesClient(
            configuration: ClientConfiguration(server: URL(string: "http://127.0.0.1:\(metricsPort)")!, rateLimit: nil))
        defer { Task { try? await probe.shutdown() } }
        try await eventually("the controller ready", timeout: .seconds(60), interval: .milliseconds(50)) {
            guard process.isRunning else {
                throw KubeTestingError(.other, "controller exited: \(process.logTail())")
            }
            return (try? await probe.raw(KubeRequest(method: .get, path: "/readyz")).status) == 200
        }
        progress("controller ready")
    }

    /// SIGKILL, as a crash or an OOM kill would.
    func kill() async {
        let process = state.withLock { state in
            defer { state.process = nil }
            return state.process
        }
        await process?.kill()
    }

    /// SIGTERM and wait.
    func stop() async {
        let process = state.withLock { state in
            defer { state.process = nil }
            return state.process
        }
        await process?.stop()
    }

    var pid: Int32? { state.withLock { $0.process?.pid } }

    /// User + system CPU time of the process so far.
    var cpuSeconds: Double { pid.map(processCPUSeconds) ?? 0 }

    /// Resident memory as `X MB (heap and stacks A MB, mapped files F MB)`: file pages are the
    /// binary's code and data touched so far, shared with any other process mapping it.
    var residentDescription: String {
        String(
            format: "%.1f MB (anonymous %.1f MB, file-backed %.1f MB)", memoryField("VmRSS"), memoryField("RssAnon"),
            memoryField("RssFile"))
    }

    private func memoryField(_ name: String) -> Double {
        guard let pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else {
            return 0
        }
        for line in status.split(separator: "\n") where line.hasPrefix("\(name):") {
            return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
        }
        return 0
    }

    /// API calls so far by `verb resource`, Events excluded (they are batched apart).
    func apiCalls() async throws -> [String: Double] {
        let text = try await metricsText()
        var calls: [String: Double] = [:]
        for (labels, value) in PrometheusText.samples("airlock_reconcile_total", in: text) {
            calls["reconcile \(labels["result"] ?? "?")", default: 0] += value
        }
        for (labels, value) in PrometheusText.samples("airlock_rest_client_requests_total", in: text) {
            let resource = labels["resource"] ?? ""
            let failed = (labels["code"] ?? "200").hasPrefix("2") ? "" : " \(labels["code"] ?? "")"
            calls["\(labels["verb"] ?? "?") \(resource)\(failed)", default: 0] += value
        }
        return calls
    }

    /// The controller's `/metrics` page.
    func metricsText() async throws -> String {
        let port = state.withLock { $0.metricsPort }
        let client = try KubernetesClient(
            configuration: ClientConfiguration(server: URL(string: "http://127.0.0.1:\(port)")!, rateLimit: nil))
        defer { Task { try? await client.shutdown() } }
        return String(decoding: try await client.raw(KubeRequest(method: .get, path: "/metrics")).body, as: UTF8.self)
    }
}

/// User + system CPU time of process `pid` so far (0 when it is gone).
func processCPUSeconds(_ pid: Int32) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return 0 }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // After the command: state is field 3; utime and stime are fields 14 and 15.
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

extension TestControlPlane {
    /// CPU time of the API server and etcd so far.
    nonisolated var serverCPUSeconds: Double {
        ["kube-apiserver.pid", "etcd.pid"].reduce(0) { total, file in
            let text = try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            return total
                + (text.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }.map(processCPUSeconds)
                    ?? 0)
        }
    }
}
