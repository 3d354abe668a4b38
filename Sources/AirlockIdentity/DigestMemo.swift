import Synchronization

/// The digests of the last few specs: one spec is hashed three times in a few milliseconds
/// (the webhook signs it, validates it, the controller verifies it), and encoding it costs
/// twenty times what comparing it does. Equal specs encode to equal bytes (the encoding is
/// deterministic), so a remembered digest is the digest.
final class DigestMemo<Key: Hashable & Sendable>: Sendable {
    private struct State {
        var digests: [Key: [UInt8]] = [:]
        /// Insertion order, oldest first: the first to go when full.
        var order: [Key] = []
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// The digest of `key`: remembered, or computed by `digest` and remembered.
    func digest(of key: Key, _ digest: (Key) -> [UInt8]) -> [UInt8] {
        if let known = state.withLock({ $0.digests[key] }) { return known }
        let computed = digest(key)
        state.withLock { state in
            guard state.digests.updateValue(computed, forKey: key) == nil else { return }
            state.order.append(key)
            if state.order.count > capacity { state.digests[state.order.removeFirst()] = nil }
        }
        return computed
    }

    /// How many digests are remembered.
    var count: Int { state.withLock { $0.digests.count } }
}
