import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// The audit log read for timing: events parsed (other stages skipped, bad lines refused),
/// phases split per lifecycle, and the flags and policy accepted by a real API server.
@Suite struct APIServerAuditLogTests {
    static func line(
        _ verb: String, _ resource: String, subresource: String? = nil, name: String, received: String,
        completed: String, stage: String = "ResponseComplete"
    ) -> String {
        let sub = subresource.map { #","subresource":"\#($0)""# } ?? ""
        return
            #"{"kind":"Event","level":"Metadata","stage":"\#(stage)","verb":"\#(verb)","objectRef":{"resource":"\#(resource)","namespace":"ns","name":"\#(name)"\#(sub)},"requestReceivedTimestamp":"2026-12-04T10:00:\#(received)Z","stageTimestamp":"2026-12-04T10:00:\#(completed)Z"}"#
    }

    @Test func readsCompletedCallsAndSkipsOtherStages() throws {
        let text = [
            Self.line("create", "things", name: "a", received: "00.000100", completed: "00.002100"),
            Self.line(
                "create", "things", name: "a", received: "00.000100", completed: "00.000100", stage: "RequestReceived"),
            "",
            Self.line(
                "update", "things", subresource: "status", name: "a", received: "00.005000", completed: "00.009000"),
        ].joined(separator: "\n")
        let calls = try APIServerAuditLog.calls(in: text)
        #expect(calls.map(\.resource) == ["things", "things/status"])
        #expect(calls.map(\.verb) == ["create", "update"])
        #expect(calls[0].name == "a")
        #expect(calls[0].namespace == "ns")
        #expect(abs(calls[0].completed.timeIntervalSince(calls[0].received) - 0.002) < 1e-6)
    }

    /// From a file, a last line the API server is still writing is left for the next read.
    @Test func aFileIsReadUpToItsLastWholeLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(try APIServerAuditLog.calls(inFile: file).isEmpty)
        let whole = Self.line("create", "things", name: "a", received: "00.0", completed: "00.1")
        try (whole + "\n" + #"{"kind":"Event","sta"#).write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try APIServerAuditLog.calls(inFile: file).map(\.name) == ["a"])
    }

    @Test func refusesALineThatIsNotAnEvent() throws {
        let text = Self.line("create", "things", name: "a", received: "00.0", completed: "00.1") + "\nnot json"
        let error = #expect(throws: KubeTestingError.self) { try APIServerAuditLog.calls(in: text) }
        #expect(error?.message.contains("line 2") == true)
    }

    /// Server time per step and the gaps between steps, per lifecycle; a lifecycle missing a
    /// step is left out, and only each step's first call counts.
    @Test func splitsEachLifecycleIntoPhases() throws {
        let text = [
            Self.line("create", "requests", name: "r1", received: "00.000", completed: "00.004"),
            Self.line("create", "roles", name: "role-r1", received: "00.010", completed: "00.012"),
            Self.line("update", "requests", subresource: "status", name: "r1", received: "00.013", completed: "00.020"),
            Self.line("update", "requests", subresource: "status", name: "r1", received: "00.100", completed: "00.200"),
            Self.line("create", "requests", name: "r2", received: "00.030", completed: "00.031"),
        ].joined(separator: "\n")
        let phases = APIServerAuditLog.phases(
            of: try APIServerAuditLog.calls(in: text), steps: ["request", "role", "status"]
        ) { call in
            guard let name = call.name else { return nil }
            switch call.resource {
            case "requests": return (name, "request")
            case "roles": return (String(name.dropFirst(5)), "role")
            case "requests/status": return (name, "status")
            default: return nil
            }
        }
        #expect(phases.map(\.phase) == ["request", "→ role", "role", "→ status", "status"])
        let milliseconds = phases.map { $0.seconds.map { ($0 * 1000).rounded() } }
        #expect(milliseconds == [[4], [6], [2], [1], [7]])
    }

    /// The flags and the policy as the benchmark passes them, on a real API server: a write
    /// to a resource named is logged with its times, a read and other resources are not.
    @Test func aRealAPIServerLogsTheWritesThePolicyNames() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let policy = directory.appendingPathComponent("policy.yaml").path
        let log = directory.appendingPathComponent("audit.log").path
        try APIServerAuditLog.policy(writesTo: ["": ["configmaps"]]).write(
            toFile: policy, atomically: true, encoding: .utf8)
        let controlPlane = try await TestControlPlane.start(
            .init(users: [], extraAPIServerFlags: APIServerAuditLog.flags(policyFile: policy, logFile: log)))
        let admin = controlPlane.adminClient
        let namespace = try await controlPlane.makeNamespace(prefix: "audit")
        _ = try await admin.create(
            ConfigMap(metadata: ObjectMeta(name: "logged", namespace: namespace), data: ["a": "b"]))
        _ = try await admin.get(ConfigMap.self, name: "logged", namespace: namespace)
        // Batched: the API server writes the log within a second or so.
        var calls: [APIServerAuditLog.Call] = []
        try await eventually("the create in the audit log", timeout: .seconds(30)) {
            calls = try APIServerAuditLog.calls(inFile: log)
            return calls.contains { $0.name == "logged" }
        }
        await controlPlane.stop()
        let logged = calls.filter { $0.name == "logged" }
        #expect(logged.map(\.verb) == ["create"])
        #expect(logged.first?.namespace == namespace)
        #expect(calls.allSatisfy { $0.resource == "configmaps" })
        let created = try #require(logged.first)
        #expect(created.completed >= created.received)
        #expect(created.completed.timeIntervalSince(created.received) < 10)
    }
}
