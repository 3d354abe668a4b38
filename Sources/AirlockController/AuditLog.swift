import Crypto
import Foundation
import KubeCore
import KubeRuntime

/// One decision in the audit trail: who, what, which policy, when, via which channel, outcome.
public struct AuditRecord: Codable, Sendable, Hashable {
    /// The idempotency key: request uid + what happened. A record whose key the log already
    /// holds is not appended again.
    public var key: String?
    public var time: Date
    /// `evaluated`, `reviewed`, `review-rejected`, `granted`, `denied`, `expired`, `revoked`, `failed`.
    public var event: String
    public var request: String
    public var requestUID: String?
    public var actor: String?
    public var requester: String?
    public var policy: [String]?
    public var channel: String?
    public var outcome: String?
    public var reason: String?
    public var details: [String: String]?

    public init(
        time: Date, event: String, request: String, requestUID: String? = nil, actor: String? = nil,
        requester: String? = nil, policy: [String]? = nil, channel: String? = nil, outcome: String? = nil,
        reason: String? = nil, details: [String: String]? = nil, key: String? = nil
    ) {
        self.key = key
        self.time = time
        self.event = event
        self.request = request
        self.requestUID = requestUID
        self.actor = actor
        self.requester = requester
        self.policy = policy
        self.channel = channel
        self.outcome = outcome
        self.reason = reason
        self.details = details
    }
}

/// A line of the audit file: the record, its position and the hash chain.
///
/// `hash = SHA-256(previousHash + "\n" + canonical JSON of {sequence, previousHash, record})`,
/// lowercase hex; the first entry's `previousHash` is 64 zeros. Editing, deleting or
/// reordering any line breaks the chain at that line. (Cutting entries off the end is only
/// visible against a copy of the last hash kept elsewhere, e.g. the log stream.)
public struct AuditEntry: Codable, Sendable, Equatable {
    public var sequence: Int
    public var previousHash: String
    public var record: AuditRecord
    public var hash: String

    public static let genesis = String(repeating: "0", count: 64)

    struct Chained: Encodable {
        var sequence: Int
        var previousHash: String
        var record: AuditRecord
    }

    /// Seals `record` as the entry after (`sequence - 1`, `previousHash`).
    public init(sequence: Int, previousHash: String, record: AuditRecord) throws {
        self.sequence = sequence
        self.previousHash = previousHash
        self.record = record
        self.hash = try Self.hash(sequence: sequence, previousHash: previousHash, record: record)
    }

    static func hash(sequence: Int, previousHash: String, record: AuditRecord) throws -> String {
        let body = try KubeJSON.encode(Chained(sequence: sequence, previousHash: previousHash, record: record))
        var hasher = SHA256()
        hasher.update(data: Data((previousHash + "\n").utf8))
        hasher.update(data: body)
        return Hex.encode(hasher.finalize())
    }
}

/// Appends hash-chained entries to a file (append-only, fsync'd per entry) and verifies files.
///
/// Records carry an idempotency key; a record whose key the file already holds is not
/// appended again, so whoever retries — a reconcile after a conflict, a controller after a
/// crash, a new leader on a shared volume — records each decision once. If the file grew
/// behind this process's back (another leader appended to a shared file), it is re-read
/// before the next append, continuing the chain from its real end; appends hold a file lock,
/// so two writers never interleave.
///
/// Its file I/O (each append is `fsync`ed) runs on a queue of its own, not on the cooperative
/// pool that serves the webhook and the reconcilers.
public actor AuditLog {
    public let path: String
    private let executor = DispatchQueueExecutor(label: "airlock.audit-log")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private var handle: FileHandle
    private var sequence: Int
    private var lastHash: String
    private var keys: Set<String>
    /// Where the file ended after this process's last read or write.
    private var endOffset: UInt64

    /// Opens (or creates) the file and continues its chain; refuses a broken file. A last
    /// line cut short (a writer was killed while appending) is tolerated here and removed
    /// before this process first appends: its record was never complete, and the controller
    /// records it again from the request's status. (Appends hold the file's lock, so no one
    /// cuts a line another writer is still writing.)
    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            else { throw AuditError(line: 0, problem: "cannot create \(path)") }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw AuditError(line: 0, problem: "cannot open \(path) for writing")
        }
        // Where the chain ends and where the file ends, read with no writer in between.
        let (existing, end) = try Self.locking(handle, path: path) {
            (try Self.verify(path: path, toleratingTornTail: true), try handle.seekToEnd())
        }
        self.endOffset = end
        self.path = path
        self.handle = handle
        self.sequence = existing.count
        self.lastHash = existing.lastHash
        self.keys = existing.keys
    }

    /// Whether a record with this idempotency key is in the file.
    public func contains(key: String) throws -> Bool {
        try locked {
            try refreshIfChanged()
            return keys.contains(key)
        }
    }

    /// Appends a record, unless one with the same key is already in the file; returns the
    /// sealed entry (also what goes to the log stream), or nil when it was there.
    @discardableResult
    public func append(_ record: AuditRecord) throws -> AuditEntry? {
        try locked {
            if try Self.dropTornTail(path: path) { endOffset = .max }
            try refreshIfChanged()
            if let key = record.key, keys.contains(key) { return nil }
            let entry = try AuditEntry(sequence: sequence + 1, previousHash: lastHash, record: record)
            var line = try KubeJSON.encode(entry)
            line.append(10)
            try handle.write(contentsOf: line)
            try handle.synchronize()
            endOffset += UInt64(line.count)
            sequence = entry.sequence
            lastHash = entry.hash
            if let key = record.key { keys.insert(key) }
            return entry
        }
    }

    /// Runs `body` holding an exclusive lock on the file (`flock`), so that writers sharing
    /// it — two leaders overlapping for a moment at a hand-over, the old one finishing what it
    /// had in flight — read its end and append one at a time: between reading where the chain
    /// ends and writing after it, no one else writes. A writer killed while holding it loses
    /// it with its process (its cut-short line is dropped by the next writer).
    private func locked<T>(_ body: () throws -> T) throws -> T {
        try Self.locking(handle, path: path, body)
    }

    private static func locking<T>(_ handle: FileHandle, path: String, _ body: () throws -> T) throws -> T {
        let descriptor = handle.fileDescriptor
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw AuditError(line: 0, problem: "cannot lock \(path): errno \(errno)") }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// Truncates the file after its last newline, if anything follows it; true if it did.
    @discardableResult
    static func dropTornTail(path: String) throws -> Bool {
        // The common case reads one byte, not the file: appends stay cheap as the file grows.
        guard try lastByte(path: path).map({ $0 != 10 }) == true,
            let data = FileManager.default.contents(atPath: path)
        else { return false }
        let keep = data.lastIndex(of: 10).map { $0 + 1 } ?? 0
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw AuditError(line: 0, problem: "cannot open \(path) to remove an unfinished last line")
        }
        defer { try? handle.close() }
        try handle.truncate(atOffset: UInt64(keep))
        try handle.synchronize()
        return true
    }

    /// The file's last byte, or nil when it is empty.
    private static func lastByte(path: String) throws -> UInt8? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw AuditError(line: 0, problem: "cannot open \(path) for reading")
        }
        defer { try? handle.close() }
        let end = try handle.seekToEnd()
        guard end > 0 else { return nil }
        try handle.seek(toOffset: end - 1)
        return try handle.read(upToCount: 1)?.first
    }

    /// Re-reads the file when someone else appended to it.
    private func refreshIfChanged() throws {
        let end = try handle.seekToEnd()
        guard end != endOffset else { return }
        let current = try Self.verify(path: path, toleratingTornTail: true)
        sequence = current.count
        lastHash = current.lastHash
        keys = current.keys
        endOffset = end
    }

    /// The outcome of verifying a file.
    public struct Verification: Sendable, Equatable {
        public var count: Int
        public var lastHash: String
        /// The idempotency keys of its records.
        public var keys: Set<String> = []
    }

    /// Checks every line: it parses, its sequence follows the previous one, it names the
    /// previous hash, and its own hash is right. Throws at the first broken line. With
    /// `toleratingTornTail`, a last line without its newline (a writer killed mid-append) is
    /// left out instead.
    public static func verify(path: String, toleratingTornTail: Bool = false) throws -> Verification {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditError(line: 0, problem: "cannot read \(path)")
        }
        var count = 0
        var lastHash = AuditEntry.genesis
        var keys: Set<String> = []
        let decoder = KubeJSON.decoder()
        var lines = data.split(separator: 10, omittingEmptySubsequences: false)
        if toleratingTornTail, let last = lines.last, !last.isEmpty { lines.removeLast() }
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if line.isEmpty {
                if index == lines.count - 1 { break }  // the newline that ends the last entry
                throw AuditError(line: number, problem: "empty line")
            }
            let entry: AuditEntry
            do {
                entry = try decoder.decode(AuditEntry.self, from: Data(line))
            } catch {
                throw AuditError(line: number, problem: "not an audit entry")
            }
            guard entry.sequence == count + 1 else {
                throw AuditError(
                    line: number,
                    problem: "sequence \(entry.sequence), expected \(count + 1) (entry deleted or reordered)")
            }
            guard entry.previousHash == lastHash else {
                throw AuditError(
                    line: number,
                    problem: "previous hash does not match line \(number - 1) (entry deleted or reordered)")
            }
            let expected = try AuditEntry.hash(
                sequence: entry.sequence, previousHash: entry.previousHash, record: entry.record)
            guard entry.hash == expected else {
                throw AuditError(line: number, problem: "hash mismatch (entry edited)")
            }
            count = entry.sequence
            lastHash = entry.hash
            if let key = entry.record.key { keys.insert(key) }
        }
        return Verification(count: count, lastHash: lastHash, keys: keys)
    }
}

/// A broken or unreadable audit file.
public struct AuditError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var problem: String

    public init(line: Int, problem: String) {
        self.line = line
        self.problem = problem
    }

    public var description: String { line > 0 ? "audit log line \(line): \(problem)" : "audit log: \(problem)" }
}
