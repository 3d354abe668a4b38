/// One event of a watch stream.
public enum WatchEvent<Object: KubeResource>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// A progress marker: only the resource version is meaningful.
    case bookmark(resourceVersion: String)

    /// The resource version this event brings the watch to.
    public var resourceVersion: String? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object):
            return object.metadata.resourceVersion
        case .bookmark(let resourceVersion):
            return resourceVersion
        }
    }

    /// The object, unless this is a bookmark.
    public var object: Object? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): return object
        case .bookmark: return nil
        }
    }
}

/// A watch frame as sent on the wire: `{"type": ..., "object": ...}`.
public struct WatchFrame: Decodable, Sendable {
    public var type: String
}

/// The decoded frame, with the object typed.
public struct TypedWatchFrame<Object: KubeResource>: Decodable, Sendable {
    public var type: String
    public var object: Object
}

/// An `ERROR` frame: the object is a `Status`.
public struct ErrorWatchFrame: Decodable, Sendable {
    public var type: String
    public var object: Status
}

/// A `BOOKMARK` frame: only `metadata.resourceVersion` is meaningful.
public struct BookmarkWatchFrame: Decodable, Sendable {
    public struct Object: Decodable, Sendable {
        public struct Metadata: Decodable, Sendable { public var resourceVersion: String? }
        public var metadata: Metadata
    }
    public var object: Object
}
