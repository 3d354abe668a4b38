import Foundation

/// Remembers the signed requests seen within the signature tolerance, so the same signed
/// request (same signature and timestamp) is accepted once. A pure value: the owner keeps it
/// behind a lock.
///
/// Bounded: entries leave once their timestamp is older than the window (the signature
/// check rejects them from then on anyway). When `capacity` live entries are held, new
/// requests are refused (``Verdict/full``) rather than forgetting a live entry, which would
/// reopen a replay; only someone holding the signing secret can fill it.
public struct SlackReplayCache: Sendable {
    /// What ``record(signature:timestamp:now:)`` found.
    public enum Verdict: Sendable, Hashable {
        /// First sighting: recorded.
        case fresh
        /// Seen before within the window: reject.
        case replayed
        /// Too many live entries: reject for now (answer 503; Slack's user can retry).
        case full
    }

    private struct Key: Hashable {
        var signature: String
        var timestamp: Int64
    }

    /// The most entries kept.
    public let capacity: Int
    /// How long an entry lives after its timestamp (the signature tolerance).
    public let window: TimeInterval
    private var entries: [Key: Int64] = [:]

    public init(capacity: Int = 10_000, window: TimeInterval = SlackSignature.defaultTolerance) {
        self.capacity = max(1, capacity)
        self.window = window
    }

    /// How many entries are held.
    public var count: Int { entries.count }

    /// Records a verified request; says whether it is new.
    public mutating func record(signature: String, timestamp: Int64, now: Date) -> Verdict {
        let key = Key(signature: signature, timestamp: timestamp)
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        if let expiry = entries[key], expiry >= nowSeconds { return .replayed }
        if entries.count >= capacity { prune(nowSeconds: nowSeconds) }
        guard entries.count < capacity else { return .full }
        entries[key] = timestamp + Int64(window.rounded(.up))
        return .fresh
    }

    private mutating func prune(nowSeconds: Int64) {
        entries = entries.filter { $0.value >= nowSeconds }
    }
}
