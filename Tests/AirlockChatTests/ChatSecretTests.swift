import AirlockChat
import Foundation
import Testing

/// Secrets from mounted files, and the message references stored in `status.notifications`.
@Suite struct ChatSecretTests {
    func file(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-chat-\(UUID().uuidString)")
            .path
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func readsAMountedSecretWithoutItsTrailingNewline() throws {
        let path = try file("signing-secret-value\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let secret = try ChatSecret(contentsOfFile: path)
        #expect(secret == ChatSecret("signing-secret-value"))
        #expect(!secret.isEmpty)
    }

    @Test func missingOrEmptyFilesAreNamedWithoutContent() throws {
        let missing = #expect(throws: ChatError.self) { try ChatSecret(contentsOfFile: "/nonexistent/airlock/token") }
        #expect(missing?.message.contains("/nonexistent/airlock/token") == true)
        let path = try file("\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let empty = #expect(throws: ChatError.self) { try ChatSecret(contentsOfFile: path) }
        #expect(empty?.message.contains("is empty") == true)
    }

    @Test func messageReferencesRoundTrip() {
        let ref = SlackMessageRef(channel: "C0123", ts: "1750000000.000100")
        #expect(ref.description == "C0123/1750000000.000100")
        #expect(SlackMessageRef(parsing: ref.description) == ref)
        for bad in ["", "C0123", "C0123/", "/1.2", "a/b/c"] { #expect(SlackMessageRef(parsing: bad) == nil) }
    }
}
