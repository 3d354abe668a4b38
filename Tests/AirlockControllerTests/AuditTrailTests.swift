import Foundation
import Logging
import Synchronization
import Testing

@testable import AirlockController

/// The audit trail without a file: each key is logged once, remembered by a digest.
@Suite struct AuditTrailTests {
    /// Collects the lines logged through it.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }

        var logger: Logger {
            Logger(label: "airlock.audit") { _ in Handler(lines: self) }
        }

        struct Handler: LogHandler {
            let lines: Lines
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .trace

            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }

            func log(event: LogEvent) {
                lines.lines.withLock { $0.append(event.message.description) }
            }
        }
    }

    func record(_ event: String, key: String?) -> AuditRecord {
        AuditRecord(
            time: Date(timeIntervalSince1970: 1_700_000_000), event: event, request: "prod/req-1",
            requestUID: "0b6c7f4e-2a8e-4d55-9d6c-8f0c1f1e2a3b", requester: "alice", key: key)
    }

    @Test func aKeyIsLoggedOnce() async throws {
        let lines = Lines()
        let trail = AuditTrail(logger: lines.logger)
        await trail.record(record("granted", key: "0b6c7f4e-2a8e-4d55-9d6c-8f0c1f1e2a3b/granted"))
        await trail.record(record("granted", key: "0b6c7f4e-2a8e-4d55-9d6c-8f0c1f1e2a3b/granted"))
        await trail.record(record("expired", key: "0b6c7f4e-2a8e-4d55-9d6c-8f0c1f1e2a3b/expired"))
        let logged = lines.all
        #expect(logged.count == 2)
        #expect(logged.first?.contains("\"event\":\"granted\"") == true)
        #expect(logged.last?.contains("\"event\":\"expired\"") == true)
    }

    @Test func keysThatDifferOnlyLateStillCount() async throws {
        // Two keys with the same first 16 bytes and more: the digest covers all of the key.
        let lines = Lines()
        let trail = AuditTrail(logger: lines.logger)
        let prefix = String(repeating: "a", count: 64)
        await trail.record(record("granted", key: prefix + "/granted/1"))
        await trail.record(record("granted", key: prefix + "/granted/2"))
        #expect(lines.all.count == 2)
    }

    @Test func recordsWithoutAKeyAreAlwaysLogged() async throws {
        let lines = Lines()
        let trail = AuditTrail(logger: lines.logger)
        await trail.record(record("failed", key: nil))
        await trail.record(record("failed", key: nil))
        #expect(lines.all.count == 2)
    }

    @Test func rememberedKeysAreDigests() {
        #expect(RememberedKey("a/granted") == RememberedKey("a/granted"))
        #expect(RememberedKey("a/granted") != RememberedKey("a/expired"))
        #expect(MemoryLayout<RememberedKey>.size == 16)
    }
}
