import KubeCore

/// An immutable view of a `Store` at one moment: reads on it never see later writes.
///
/// Taking a snapshot is O(1) (the dictionary is copied on write by the store, not by the
/// reader).
public struct StoreSnapshot<Object: KubeResource>: Sendable {
    /// Every object, by key.
    public let objects: [ObjectKey: Object]
    /// Whether a complete list had been applied when the snapshot was taken.
    public let hasSynced: Bool

    public init(objects: [ObjectKey: Object] = [:], hasSynced: Bool = false) {
        self.objects = objects
        self.hasSynced = hasSynced
    }

    public var count: Int { objects.count }

    /// The object with this key.
    public func get(_ key: ObjectKey) -> Object? { objects[key] }

    /// The object `namespace/name` (`namespace` nil at cluster scope).
    public func get(name: String, namespace: String?) -> Object? {
        objects[ObjectKey(namespace: namespace, name: name)]
    }

    /// The objects in `namespace` (nil: all namespaces) whose labels match `labelSelector`,
    /// sorted by key.
    public func list(namespace: String? = nil, labelSelector: LabelSelector = .everything) -> [Object] {
        objects.lazy
            .filter { entry in
                (namespace == nil || entry.key.namespace == namespace)
                    && labelSelector.matches(entry.value.metadata.labels)
            }
            .sorted { $0.key < $1.key }
            .map(\.value)
    }
}
