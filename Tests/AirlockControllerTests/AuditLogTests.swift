import AirlockController
import Foundation
import Testing

@Suite final class AuditLogTests {
    /// This test's files, removed when it ends.
    let directory = NSTemporaryDirectory() + "airlock-audit-test-\(UUID().uuidString)"

    init() throws { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func makeLog(entries: Int) async throws -> String {
        let path = directory + "/audit.jsonl"
        let log = try AuditLog(path: path)
        for index in 0..<entries {
            try await log.append(
                AuditRecord(
                    time: Date(timeIntervalSince1970: Double(1_700_000_000 + index)), event: "granted",
                    request: "prod/req-\(index)", actor: "bob", requester: "alice", policy: ["prod-deletes"],
                    channel: "kubectl", outcome: "Approved"))
        }
        return path
    }

    func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func write(_ lines: [String], to path: String) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func intactChainVerifies() async throws {
        let path = try await makeLog(entries: 5)
        let result = try AuditLog.verify(path: path)
        #expect(result.count == 5)
        // Reopening continues the chain.
        let log = try AuditLog(path: path)
        let entry = try #require(
            try await log.append(AuditRecord(time: Date(), event: "expired", request: "prod/req-0")))
        #expect(entry.sequence == 6)
        #expect(try AuditLog.verify(path: path).lastHash == entry.hash)
    }

    /// Two leaders overlap for a moment at a hand-over (the old one finishing what it had in
    /// flight): both append to the shared file at once. Every record lands once, on an intact
    /// chain, and neither overwrites the other's lines.
    @Test func writersSharingTheFileKeepOneIntactChain() async throws {
        let path = directory + "/audit.jsonl"
        let writers = try [AuditLog(path: path), AuditLog(path: path)]
        let perWriter = 60
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (number, writer) in writers.enumerated() {
                group.addTask {
                    for index in 0..<perWriter {
                        try await writer.append(
                            AuditRecord(
                                time: Date(), event: "granted", request: "prod/req-\(number)-\(index)",
                                key: "writer-\(number)/\(index)"))
                    }
                }
            }
            try await group.waitForAll()
        }
        let result = try AuditLog.verify(path: path)
        #expect(result.count == 2 * perWriter)
        #expect(result.keys.count == 2 * perWriter)
        // A record both try to write lands once.
        for writer in writers {
            try await writer.append(AuditRecord(time: Date(), event: "expired", request: "prod/x", key: "both"))
        }
        #expect(try AuditLog.verify(path: path).count == 2 * perWriter + 1)
    }

    @Test func editIsDetected() async throws {
        let path = try await makeLog(entries: 4)
        var content = try lines(path)
        content[2] = content[2].replacingOccurrences(of: "\"actor\":\"bob\"", with: "\"actor\":\"mallory\"")
        try write(content, to: path)
        #expect(throws: AuditError(line: 3, problem: "hash mismatch (entry edited)")) {
            try AuditLog.verify(path: path)
        }
    }

    @Test func deletionIsDetected() async throws {
        let path = try await makeLog(entries: 4)
        var content = try lines(path)
        content.remove(at: 1)
        try write(content, to: path)
        #expect(throws: AuditError(line: 2, problem: "sequence 3, expected 2 (entry deleted or reordered)")) {
            try AuditLog.verify(path: path)
        }
    }

    @Test func reorderingIsDetected() async throws {
        let path = try await makeLog(entries: 4)
        var content = try lines(path)
        content.swapAt(1, 2)
        try write(content, to: path)
        #expect(throws: AuditError.self) { try AuditLog.verify(path: path) }
    }

    @Test func renumberedForgeryIsDetected() async throws {
        // Deleting line 2 and fixing up the sequence numbers still breaks the hash chain.
        let path = try await makeLog(entries: 3)
        var content = try lines(path)
        content.remove(at: 1)
        content[1] = content[1].replacingOccurrences(of: "\"sequence\":3", with: "\"sequence\":2")
        try write(content, to: path)
        #expect(
            throws: AuditError(line: 2, problem: "previous hash does not match line 1 (entry deleted or reordered)")
        ) {
            try AuditLog.verify(path: path)
        }
    }

    @Test func garbageLineIsReported() async throws {
        let path = try await makeLog(entries: 2)
        var content = try lines(path)
        content.append("not json")
        try write(content, to: path)
        #expect(throws: AuditError(line: 3, problem: "not an audit entry")) { try AuditLog.verify(path: path) }
        // A broken file is not appended to.
        #expect(throws: AuditError.self) { try AuditLog(path: path) }
    }
}
