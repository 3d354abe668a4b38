import KubeCore

/// One change a write made to a `Store`.
public enum StoreChange<Object: KubeResource>: Sendable {
    /// A new object.
    case added(Object)
    /// An object changed (its resource version moved).
    case updated(old: Object, new: Object)
    /// An object went away: deleted on the watch (the event's object), or missing from a
    /// re-list (the last state the store knew).
    case deleted(Object)

    /// The key of the changed object.
    public var key: ObjectKey { object.key }

    /// The newest known state: the new object, or the deleted object's last state.
    public var object: Object {
        switch self {
        case .added(let object), .updated(_, let object), .deleted(let object): return object
        }
    }
}

extension StoreChange: Equatable where Object: Equatable {}
