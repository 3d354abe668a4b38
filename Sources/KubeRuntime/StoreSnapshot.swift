import KubeCore

/// An immutable view of a `Store` at one moment: reads on it never see later writes.
///
/// Taking a snapshot is O(1) (the dictionary is copied on write by the store, not by the
/// reader).
public struct StoreSnapshot<Object: KubeResource>: Sendable {
    /// Every object, by key, boxed as the store holds them.
    let entries: [ObjectKey: StoreEntry<Object>]
    /// Whether a complete list had been applied when the snapshot was taken.
    public let hasSynced: Bool

    init(entries: [ObjectKey: StoreEntry<Object>], hasSynced: Bool) {
        self.entries = entries
        self.hasSynced = hasSynced
    }

    public init(objects: [ObjectKey: Object] = [:], hasSynced: Bool = false) {
        self.init(entries: objects.mapValues(StoreEntry.init), hasSynced: hasSynced)
    }

    public var count: Int { entries.count }

    /// Every object, in no particular order.
    public var objects: [Object] { entries.values.map { $0.object } }

    /// The object with this key.
    public func get(_ key: ObjectKey) -> Object? { entries[key]?.object }

    /// The object `namespace/name` (`namespace` nil at cluster scope).
    public func get(name: String, namespace: String?) -> Object? {
        get(ObjectKey(namespace: namespace, name: name))
    }

    /// The objects in `namespace` (nil: all namespaces) whose labels match `labelSelector`,
    /// sorted by key.
    public func list(namespace: String? = nil, labelSelector: LabelSelector = .everything) -> [Object] {
        entries.lazy
            .filter { entry in
                (namespace == nil || entry.key.namespace == namespace)
                    && labelSelector.matches(entry.value.object.metadata.labels)
            }
            .sorted { $0.key < $1.key }
            .map { $0.value.object }
    }
}
