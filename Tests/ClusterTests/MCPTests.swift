import AirlockAPI
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// `airlock mcp` driven by a real MCP client — the Python `mcp` SDK (pinned in .ci/run) —
/// over stdio, against the real API server with Airlock's webhook and controller running.
@Suite struct MCPTests {
    static let install = "python3 -m pip install mcp==2.3.0"

    /// The client: every step asserts, then the tool results are printed as one JSON line.
    static let script = #"""
        import asyncio, json, os, stat, subprocess, sys
        try:
            from mcp import ClientSession, StdioServerParameters
            from mcp.client.stdio import stdio_client
        except ImportError as error:
            print("MISSING_MODULE", error, file=sys.stderr)
            sys.exit(3)

        binary, kubeconfig, namespace, target, directory = sys.argv[1:6]
        results = {}

        def text(result):
            return "".join(part.text for part in result.content if getattr(part, "type", "") == "text")

        async def call(session, key, tool, arguments):
            result = await session.call_tool(tool, arguments)
            body = text(result)
            results[key] = {"isError": bool(result.is_error), "text": body}
            if not result.is_error:
                data = json.loads(body)
                assert result.structured_content == data, (key, result.structured_content, data)
                return data
            return body

        async def main():
            server = StdioServerParameters(
                command=binary, args=["mcp", "--kubeconfig", kubeconfig, "--context", "alice", "-n", namespace])
            async with stdio_client(server) as (read, write):
                async with ClientSession(read, write) as session:
                    init = await session.initialize()
                    assert init.server_info.name == "airlock", init
                    assert "request_access" in (init.instructions or ""), init.instructions
                    results["protocolVersion"] = init.protocol_version

                    tools = (await session.list_tools()).tools
                    names = sorted(tool.name for tool in tools)
                    assert names == ["get_request", "list_my_requests", "release_access", "request_access",
                                     "wait_for_decision"], names
                    for tool in tools:
                        assert tool.input_schema["type"] == "object", tool
                        assert isinstance(tool.input_schema["properties"], dict), tool
                        assert len(tool.description) > 80, tool.name

                    # Invalid input: a clear error, nothing created.
                    bad = await call(session, "bad", "request_access",
                                     {"allow": ["delete pods/db-0"], "duration": "10m", "reason": "r"})
                    assert results["bad"]["isError"] and "add -n NAMESPACE" in bad, bad
                    missing = await call(session, "missing", "wait_for_decision", {})
                    assert results["missing"]["isError"] and "name is required" in missing, missing

                    # Auto-approved (policy), waited for, credential written 0600, shown, listed, released.
                    created = await call(session, "granted_request", "request_access", {
                        "allow": ["get configmaps/cm1 -n " + target], "duration": "10m",
                        "reason": "read cm1 to check the migration", "ticket": "INC-7"})
                    assert created["state"] in ("auto-approved", "granted"), created
                    path = os.path.join(directory, "mcp.kubeconfig")
                    granted = await call(session, "granted", "wait_for_decision", {
                        "name": created["name"], "timeout_seconds": 60, "kubeconfig_path": path})
                    assert granted["granted"] is True and granted["phase"] == "Granted", granted
                    assert granted["kubeconfigPath"] == path, granted
                    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
                    shown = await call(session, "get", "get_request", {"name": created["name"]})
                    assert shown["phase"] == "Granted" and shown["requester"] == "alice", shown
                    mine = await call(session, "list", "list_my_requests", {})
                    assert [item["name"] for item in mine["items"]] == [created["name"]], mine
                    released = await call(session, "release", "release_access",
                                          {"name": created["name"], "comment": "done"})
                    assert released["counted"] is True, released

                    # Waits for reviewers: a bounded wait times out (silence is not consent),
                    # then a reviewer denies it with a reason.
                    pending = await call(session, "pending_request", "request_access", {
                        "allow": ["get secrets/s1 -n " + target], "duration": "5m", "reason": "read s1",
                        "credential": "Subject"})
                    assert pending["state"] == "awaiting-approval" and pending["approvalsRequired"] == 1, pending
                    # Calls run concurrently: a ping and another tool are answered while it waits.
                    waiting = asyncio.create_task(call(session, "timed_out", "wait_for_decision",
                                                       {"name": pending["name"], "timeout_seconds": 6}))
                    await session.send_ping()
                    shown = await call(session, "get_pending", "get_request", {"name": pending["name"]})
                    assert shown["phase"] == "Pending" and not waiting.done(), (shown, waiting.done())
                    timed_out = await waiting
                    assert timed_out["granted"] is False and timed_out["reason"] == "TimedOut", timed_out
                    assert timed_out["phase"] == "Pending", timed_out
                    deny = subprocess.run([binary, "deny", pending["name"], "--comment", "no secrets today", "-n",
                                           namespace, "--kubeconfig", kubeconfig, "--context", "carol"],
                                          capture_output=True, text=True, timeout=60)
                    assert deny.returncode == 0, (deny.stdout, deny.stderr)
                    denied = await call(session, "denied", "wait_for_decision",
                                        {"name": pending["name"], "timeout_seconds": 60})
                    assert denied["granted"] is False and denied["phase"] == "Denied", denied
                    assert denied["reason"] == "DeniedByReviewer", denied
                    assert "no secrets today" in denied["message"], denied

                    # Denied at once by policy, with its reason.
                    refused = await call(session, "refused", "request_access", {
                        "allow": ["delete pods/db-0 -n " + target], "duration": "5m", "reason": "restart db-0"})
                    assert refused["state"] == "denied" and refused["phase"] == "Denied", refused
                    assert refused["reason"] == "DeniedByPolicy", refused

                    unknown = await call(session, "unknown", "delete_everything", {})
                    assert results["unknown"]["isError"] and "unknown tool" in unknown, unknown
                    finished = await call(session, "list_all", "list_my_requests", {"include_finished": True})
                    assert len(finished["items"]) == 3, finished
            print(json.dumps(results))

        asyncio.run(main())
        """#

    @Test func aRealClientCallsEveryTool() async throws {
        try CLITests.requireBinary()
        try await CLITests.with("mcp") { fixture, cli in
            try await fixture.policy(
                "auto-configmaps",
                ApprovalPolicySpec(
                    match: PolicyMatch(resources: ["configmaps"], verbs: ["get"]), decision: .autoApprove,
                    maxDuration: KubeDuration(seconds: 3600)))
            try await fixture.policy(
                "no-pod-deletes",
                ApprovalPolicySpec(match: PolicyMatch(resources: ["pods"], verbs: ["delete"]), decision: .deny))
            let output = try await PythonMCPClient.run(
                Self.script,
                arguments: [CLIRunner.binary, cli.kubeconfig, fixture.namespace, fixture.target, cli.directory.path])
            let results = try #require(
                try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], "\(output)")
            #expect(results["protocolVersion"] as? String != nil)
            // The server never prints tokens: not in any tool result, not on stderr.
            let requests = try await fixture.admin.list(ActionRequest.self, namespace: fixture.namespace).items
                .filter { $0.metadata.deletionTimestamp == nil }
            #expect(requests.count == 3, "the invalid call created nothing")
            // The credential the server wrote (its Secret is gone with the release): its token
            // appears in no tool result and not on the server's stderr.
            let kubeconfig = try String(
                contentsOf: cli.directory.appendingPathComponent("mcp.kubeconfig"), encoding: .utf8)
            let token = try #require(
                kubeconfig.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("token:") }?
                    .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
                    .trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
            #expect(token.count > 20 && !output.stdout.contains(token) && !output.stderr.contains(token))
        }
    }
}

/// Runs a Python script to its end (at most 3 minutes), failing with the install command
/// when the `mcp` package is missing.
enum PythonMCPClient {
    static func run(_ script: String, arguments: [String]) async throws -> (stdout: String, stderr: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "airlock-mcp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        do {
            try await eventually("the Python MCP client to finish", timeout: .seconds(180), interval: .milliseconds(50))
            {
                process.hasExited
            }
        } catch {
            process.terminate()
            throw error
        }
        let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        if stderr.contains("MISSING_MODULE") {
            throw KubeTestingError(.other, "the Python mcp package is missing: run `\(MCPTests.install)`")
        }
        let status = process.exitStatus ?? -1
        guard status == 0 else {
            throw KubeTestingError(.other, "the MCP client failed (exit \(status)):\n\(stderr)\n\(stdout)")
        }
        return (stdout, stderr)
    }
}
