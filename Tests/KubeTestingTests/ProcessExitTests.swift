import Foundation
import KubeTesting
import Testing

/// An exit is seen though another process still holds what Foundation watches for it: each
/// command here leaves a `sleep` behind that inherited every descriptor, as a process spawned
/// by another thread at the same moment can (Foundation then reports the child running until
/// that process exits).
@Suite struct ProcessExitTests {
    /// A shell that starts a long-lived holder, writes its pid to `holderFile`, and exits 3.
    static func exitLeavingAHolder(_ holderFile: URL) -> [String] {
        ["-c", "sleep 120 & echo $! > '\(holderFile.path)'; exit 3"]
    }

    static func stopHolder(_ holderFile: URL) throws {
        let text = try String(contentsOf: holderFile, encoding: .utf8)
        let pid = try #require(pid_t(text.trimmed), "holder pid file: \(text)")
        kill(pid, SIGKILL)
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-exit-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func aProcessExitIsSeenWithItsStatus() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let holder = directory.appendingPathComponent("holder.pid")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = Self.exitLeavingAHolder(holder)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let status = try await eventuallyValue("the exit", timeout: .seconds(30), interval: .milliseconds(10)) {
            process.exitStatus
        }
        #expect(status == 3)
        #expect(process.hasExited)
        #expect(process.isRunning, "Foundation no longer misses it: this test no longer shows the problem")
        try Self.stopHolder(holder)
        process.blockUntilExited()
        #expect(process.exitStatus == 3)
    }

    @Test func aServerThatExitsIsNotRunning() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let holder = directory.appendingPathComponent("holder.pid")
        let server = try await ServerProcess.launch(
            ServerProcess.Command(name: "exits", executable: "/bin/sh", arguments: Self.exitLeavingAHolder(holder)),
            in: directory)
        try await eventually("the server to stop running", timeout: .seconds(30), interval: .milliseconds(20)) {
            !server.isRunning
        }
        try Self.stopHolder(holder)
        await server.stop()
    }
}
