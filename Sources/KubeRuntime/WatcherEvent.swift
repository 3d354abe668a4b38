import KubeCore

/// What a watcher hands to its consumer (usually a `StoreWriter`).
public enum WatcherEvent<Object: KubeResource>: Sendable {
    /// A complete, consistent list of every object (all pages of one list, at one resource
    /// version). Anything the consumer holds that is not in it was deleted, possibly while
    /// the watch was disconnected.
    case replace([Object])
    /// One change seen on the watch. Never a bookmark: bookmarks only move the resource
    /// version the watcher resumes from.
    case event(WatchEvent<Object>)
}

extension WatcherEvent: Equatable where Object: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.replace(let left), .replace(let right)): return left == right
        case (.event(let left), .event(let right)): return sameEvent(left, right)
        default: return false
        }
    }

    private static func sameEvent(_ lhs: WatchEvent<Object>, _ rhs: WatchEvent<Object>) -> Bool {
        switch (lhs, rhs) {
        case (.added(let left), .added(let right)), (.modified(let left), .modified(let right)),
            (.deleted(let left), .deleted(let right)):
            return left == right
        case (.bookmark(let left), .bookmark(let right)): return left == right
        default: return false
        }
    }
}
