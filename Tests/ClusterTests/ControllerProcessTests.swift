import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// The `airlock controller` binary as a process: it becomes ready, leads, logs JSON without
/// secrets, and on SIGTERM releases its Lease and exits 0.
@Suite struct ControllerProcessTests {
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/airlock").path

    @Test func readyLeadsAndShutsDownGracefullyOnSIGTERM() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.binary),
            "build the executable first: swift build --build-tests (hack/test.sh does)")
        // A control plane of its own: the controller writes cluster-wide webhook configurations.
        let plane = try await TestControlPlane.start()
        let admin = plane.adminClient
        _ = try await admin.create(Namespace(name: "airlock-system"))
        let ports = try FreePort.loopback(count: 2)
        let output = plane.directory.appendingPathComponent("controller.log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "controller", "--kubeconfig", plane.kubeconfigPath, "--namespace", "airlock-system",
            "--controller-username", "admin", "--metrics-port", "\(ports[0])", "--webhook-port", "\(ports[1])",
            "--webhook-ip", "127.0.0.1", "--lease-name", "process-test",
            // The documented spellings of flags whose names the parser would not derive.
            "--kube-api-http2", "--kube-api-qps", "500", "--event-qps", "10", "--event-burst", "20",
        ]
        process.standardError = try FileHandle(forWritingTo: output)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if !process.hasExited { process.terminate() } }

        let probe = try KubernetesClient(
            configuration: ClientConfiguration(server: URL(string: "http://127.0.0.1:\(ports[0])")!, rateLimit: nil))
        try await eventually("ready", timeout: .seconds(30), interval: .milliseconds(200)) {
            guard !process.hasExited else {
                throw KubeTestingError(.other, "controller exited: \(try String(contentsOf: output, encoding: .utf8))")
            }
            return (try? await probe.raw(KubeRequest(method: .get, path: "/readyz")).status) == 200
        }
        try await eventually("leading", timeout: .seconds(20)) {
            let lease = try? await admin.get(Lease.self, name: "process-test", namespace: "airlock-system")
            return lease?.spec?.holderIdentity != nil
        }
        let metrics = String(
            decoding: try await probe.raw(KubeRequest(method: .get, path: "/metrics")).body, as: UTF8.self)
        #expect(metrics.contains("airlock_leader 1"))

        let stopping = ContinuousClock.now
        kill(process.processIdentifier, SIGTERM)
        try await eventually("exited", timeout: .seconds(30), interval: .milliseconds(100)) { process.hasExited }
        #expect(process.exitStatus == 0)
        #expect(ContinuousClock.now - stopping < .seconds(10), "shutdown took \(ContinuousClock.now - stopping)")
        let lease = try await admin.get(Lease.self, name: "process-test", namespace: "airlock-system")
        #expect(lease.spec?.holderIdentity == nil)

        let log = try String(contentsOf: output, encoding: .utf8)
        #expect(log.contains("Swift tasks run on NIO's event loops"))
        let lines = log.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines.prefix(20) {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] != nil && object?["msg"] != nil, "not a JSON log line: \(line)")
        }
        #expect(!log.contains(try plane.token(for: "admin")), "the token leaked into the log")
        try await probe.shutdown()
        await plane.stop()
    }
}
