import AirlockAPI
import ArgumentParser
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Logging

/// The agent's view: `airlock request --wait --kubeconfig-out` on an auto-approved request,
/// timed from process start to the credential file written (the file's mtime) and to exit;
/// and `airlock mcp`'s start-up (process start to the initialize answer) and memory.
struct CLIBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cli", abstract: "airlock request --wait (auto-approved) and airlock mcp start-up, as processes.")

    @Option(help: "The airlock binary.") var binary = ".build/release/airlock"
    @Option(help: "Requests to time.") var runs = 50
    @Option(help: "MCP server starts to time.") var mcpStarts = 20

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
        let binary = URL(fileURLWithPath: self.binary).standardizedFileURL.path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("no executable at \(binary): swift build -c release --product airlock")
        }
        progress("starting a control plane")
        let plane = try await TestControlPlane.start()
        let environment = try await BenchEnvironment.make(plane: plane, binary: binary, extra: [])
        do {
            try await environment.controller.start()
            let (namespace, target) = try await environment.namespaces("cli")
            let directory = plane.directory.appendingPathComponent("cli-bench")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            say("# airlock CLI and MCP server as processes (\(binary)), API server v1.20 + etcd on this machine")
            try await requests(binary: binary, plane: plane, namespace: namespace, target: target, directory: directory)
            try await mcp(binary: binary, plane: plane, namespace: namespace)
        } catch {
            progress("failed: \(error)")
            await environment.controller.stop()
            await environment.shutdown()
            await plane.stop()
            throw error
        }
        await environment.controller.stop()
        await environment.shutdown()
        await plane.stop()
    }

    private func requests(
        binary: String, plane: TestControlPlane, namespace: String, target: String, directory: URL
    ) async throws {
        var toFile = Samples()
        var toExit = Samples()
        for index in 0..<runs {
            let path = directory.appendingPathComponent("grant-\(index).kubeconfig").path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [
                "request", "--allow", "get configmaps/cm-\(index) -n \(target)", "--for", "10m", "--reason", "bench",
                "--wait", "--timeout", "60s", "--kubeconfig-out", path, "-n", namespace, "--kubeconfig",
                plane.kubeconfigPath, "--context", "alice", "-o", "json",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let started = Date()
            try process.run()
            try await eventually("request \(index) to exit", timeout: .seconds(90), interval: .milliseconds(1)) {
                process.hasExited
            }
            let exited = Date()
            let status = process.exitStatus ?? -1
            guard status == 0 else {
                throw ValidationError("request \(index) exited \(status)")
            }
            let written = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
            toFile.add(.seconds((written ?? exited).timeIntervalSince(started)))
            toExit.add(.seconds(exited.timeIntervalSince(started)))
        }
        say("request --wait (auto-approved, Ephemeral), start -> credential file written: \(toFile.summary)")
        say("request --wait (auto-approved, Ephemeral), start -> exit 0:                  \(toExit.summary)")
    }

    private func mcp(binary: String, plane: TestControlPlane, namespace: String) async throws {
        var startup = Samples()
        var residentAfterInitialize: [Double] = []
        var residentAfterCall: [Double] = []
        for index in 0..<mcpStarts {
            let server = try MCPProcess(
                binary: binary,
                arguments: ["mcp", "--kubeconfig", plane.kubeconfigPath, "--context", "alice", "-n", namespace])
            let started = Date()
            try server.send(
                #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"#
            )
            let answer = try await server.readLine()
            startup.add(.seconds(Date().timeIntervalSince(started)))
            guard answer.contains("\"serverInfo\"") else { throw ValidationError("initialize answered \(answer)") }
            residentAfterInitialize.append(server.residentMB)
            try server.send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
            try server.send(
                #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_my_requests","arguments":{"include_finished":true}}}"#
            )
            let listed = try await server.readLine()
            guard listed.contains("\"id\":2"), !listed.contains("\"isError\":true") else {
                throw ValidationError("list_my_requests answered \(listed)")
            }
            residentAfterCall.append(server.residentMB)
            server.stop()
            if index == 0 { progress("mcp: first start done") }
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        say("mcp start -> initialize answered: \(startup.summary)")
        say(
            "mcp RSS: \(String(format: "%.1f", median(residentAfterInitialize))) MB after initialize, "
                + "\(String(format: "%.1f", median(residentAfterCall))) MB after a tool call (list_my_requests with a "
                + "whoami dry run and a list), medians of \(mcpStarts)")
    }
}

/// `airlock mcp` with pipes: newline-delimited JSON-RPC in and out.
final class MCPProcess: @unchecked Sendable {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer = Data()

    init(binary: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    func send(_ line: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// The next line the server writes (a blocking read on a thread of its own).
    func readLine() async throws -> String {
        let handle = output.fileHandleForReading
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { [self] in
                while true {
                    if let newline = buffer.firstIndex(of: 10) {
                        let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                        buffer.removeSubrange(buffer.startIndex...newline)
                        continuation.resume(returning: line)
                        return
                    }
                    let chunk = handle.availableData
                    if chunk.isEmpty {
                        continuation.resume(throwing: ValidationError("airlock mcp closed its stdout"))
                        return
                    }
                    buffer.append(chunk)
                }
            }
        }
    }

    var residentMB: Double {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
        }
        return 0
    }

    /// Closes stdin (the server ends on EOF); terminates it if it has not after 5 s.
    func stop() {
        try? input.fileHandleForWriting.close()
        let deadline = Date() + 5
        while !process.hasExited, Date() < deadline { usleep(10_000) }
        if !process.hasExited {
            progress("airlock mcp did not exit on EOF; terminating it")
            process.terminate()
        }
        process.blockUntilExited()
    }
}
