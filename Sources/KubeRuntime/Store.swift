import KubeCore
import Synchronization

/// An in-memory cache of the objects of one resource type, kept current by a watcher through
/// its `StoreWriter`. This is the reader side: it has no write methods.
///
/// Reads are synchronous and cheap (a lock held for a dictionary lookup or copy), so
/// reconcilers can call them freely. `snapshot()` gives an immutable view for a consistent
/// multi-object read.
///
/// ```swift
/// let writer = StoreWriter<ConfigMap>()
/// let store = writer.store  // hand this to readers
/// writer.apply(.replace(listedObjects))
/// store.get(ObjectKey(namespace: "default", name: "settings"))
/// ```
public final class Store<Object: KubeResource>: Sendable {
    /// Identifies a registered change handler, for `removeHandler`.
    public struct HandlerID: Hashable, Sendable {
        fileprivate let value: Int
    }

    /// Called after every change, on the writer's task, in order. Must not block.
    public typealias Handler = @Sendable (StoreChange<Object>) -> Void

    struct State: Sendable {
        var objects: [ObjectKey: StoreEntry<Object>] = [:]
        var hasSynced = false
        var syncWaiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        var handlers: [(id: Int, handler: Handler)] = []
        var nextID = 0

        mutating func makeID() -> Int {
            nextID += 1
            return nextID
        }
    }

    let state = Mutex(State())

    init() {}

    /// The object with this key.
    public func get(_ key: ObjectKey) -> Object? {
        state.withLock { $0.objects[key]?.object }
    }

    /// The object `namespace/name` (`namespace` nil at cluster scope).
    public func get(name: String, namespace: String?) -> Object? {
        get(ObjectKey(namespace: namespace, name: name))
    }

    /// The objects in `namespace` (nil: all namespaces) whose labels match `labelSelector`,
    /// sorted by key.
    public func list(namespace: String? = nil, labelSelector: LabelSelector = .everything) -> [Object] {
        snapshot().list(namespace: namespace, labelSelector: labelSelector)
    }

    /// An immutable view of the current content.
    public func snapshot() -> StoreSnapshot<Object> {
        state.withLock { StoreSnapshot(entries: $0.objects, hasSynced: $0.hasSynced) }
    }

    /// How many objects are cached.
    public var count: Int { state.withLock { $0.objects.count } }

    /// Whether a complete list has been applied: before that, a missing object may simply not
    /// be loaded yet, so controllers wait for this before they start reconciling.
    public var hasSynced: Bool { state.withLock { $0.hasSynced } }

    /// Returns once the store has synced; throws `CancellationError` if the task is cancelled
    /// first.
    public func waitUntilSynced() async throws {
        let id = state.withLock { $0.makeID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    if state.hasSynced { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.syncWaiters[id] = continuation
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.syncWaiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Registers a handler called after every change (see `Handler`).
    @discardableResult
    public func addHandler(_ handler: @escaping Handler) -> HandlerID {
        state.withLock { state in
            let id = state.makeID()
            state.handlers.append((id, handler))
            return HandlerID(value: id)
        }
    }

    /// Unregisters a handler.
    public func removeHandler(_ id: HandlerID) {
        state.withLock { $0.handlers.removeAll { $0.id == id.value } }
    }

    /// Runs one write under the lock, then wakes sync waiters and calls the handlers outside it.
    func write(_ body: (inout State) -> [StoreChange<Object>]) -> [StoreChange<Object>] {
        let (changes, handlers, waiters) = state.withLock { state in
            let changes = body(&state)
            var waiters: [CheckedContinuation<Void, any Error>] = []
            if state.hasSynced, !state.syncWaiters.isEmpty {
                waiters = Array(state.syncWaiters.values)
                state.syncWaiters.removeAll()
            }
            return (changes, changes.isEmpty ? [] : state.handlers.map { $0.handler }, waiters)
        }
        for waiter in waiters { waiter.resume() }
        for change in changes {
            for handler in handlers { handler(change) }
        }
        return changes
    }
}

/// One cached object, boxed: the store's dictionary holds a reference per key instead of the
/// whole value (an ActionRequest is about 750 bytes inline, and a dictionary keeps a quarter
/// to a half of its slots empty), and the copy a write makes while a snapshot is out copies
/// references, not objects.
final class StoreEntry<Object: KubeResource>: Sendable {
    let object: Object

    init(_ object: Object) {
        self.object = object
    }
}
