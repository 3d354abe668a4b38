import Crypto
import Foundation
import KubeCore
import Logging
import Synchronization

/// Where decisions are recorded: one structured JSON line per decision in the log (label
/// `airlock.audit`), and, when configured, the hash-chained ``AuditLog`` file.
///
/// Records are idempotent by key. With the file, the file decides what was recorded (across
/// retries, crashes and leaders sharing it), and ``isDurable`` is true: the reconciler then
/// also records what a status shows and the file lacks. Without it, this process remembers
/// the keys it logged, so a retry never repeats a line; a crash can still lose one.
public final class AuditTrail: Sendable {
    private let logger: Logger
    private let file: AuditLog?
    private let logged = Mutex<Set<RememberedKey>>([])
    /// Keys remembered without a file, at most (16 bytes each).
    static let memoryLimit = 100_000

    public init(file: AuditLog? = nil, logger: Logger = Logger(label: "airlock.audit")) {
        self.file = file
        self.logger = logger
    }

    /// Whether the file keeps what was recorded across restarts.
    public var isDurable: Bool { file != nil }

    /// Records `record` unless its key was recorded before.
    public func record(_ record: AuditRecord) async {
        if let file {
            do {
                guard let entry = try await file.append(record) else { return }
                logger.info("\(Self.line(entry, or: record.event))", metadata: ["audit": "true"])
                return
            } catch {
                logger.error("audit file \(file.path): could not append: \(error)")
            }
        } else if let key = record.key {
            let fresh = logged.withLock { keys in
                if keys.count >= Self.memoryLimit { keys.removeAll() }
                return keys.insert(RememberedKey(key)).inserted
            }
            guard fresh else { return }
        }
        // Encoded only when the line is logged (the message is evaluated lazily).
        logger.info("\(Self.line(record, or: record.event))", metadata: ["audit": "true"])
    }

    /// `value` as one JSON line; `fallback` if it cannot be encoded.
    private static func line(_ value: some Encodable, or fallback: String) -> String {
        (try? KubeJSON.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? fallback
    }

    /// Records those of `records` whose keys the file lacks (only with a file).
    public func catchUp(_ records: [AuditRecord]) async {
        guard let file else { return }
        for record in records {
            guard let key = record.key else { continue }
            do {
                if try await file.contains(key: key) { continue }
            } catch {
                logger.error("audit file \(file.path): could not read: \(error)")
                return
            }
            await self.record(record)
        }
    }
}

/// An idempotency key as remembered without a file: the first 16 bytes of its SHA-256 rather
/// than the key (about 100 bytes of string: a uid, an event, a digest), which over a long run
/// of requests is most of what the trail holds.
struct RememberedKey: Hashable {
    let high: UInt64
    let low: UInt64

    init(_ key: String) {
        let digest = SHA256.hash(data: Data(key.utf8))
        (high, low) = digest.withUnsafeBytes { bytes in
            (
                bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            )
        }
    }
}
