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

/// Any frame, decoded in one pass: the object is read as `Object`, a `Status` or a bookmark's
/// resource version, according to `type` (which JSON object keys are decoded by name, so its
/// position in the frame does not matter).
public struct AnyWatchFrame<Object: KubeResource>: Decodable, Sendable {
    public enum Payload: Sendable {
        case object(Object)
        case status(Status)
        case bookmark(resourceVersion: String)
        case unknown
    }

    public var type: String
    public var payload: Payload

    enum CodingKeys: String, CodingKey { case type, object }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ADDED", "MODIFIED", "DELETED": payload = .object(try container.decode(Object.self, forKey: .object))
        case "ERROR": payload = .status(try container.decode(Status.self, forKey: .object))
        case "BOOKMARK":
            let object = try container.decode(BookmarkWatchFrame.Object.self, forKey: .object)
            payload = .bookmark(resourceVersion: object.metadata.resourceVersion ?? "")
        default: payload = .unknown
        }
    }
}

/// A `BOOKMARK` frame: only `metadata.resourceVersion` is meaningful.
public struct BookmarkWatchFrame: Decodable, Sendable {
    public struct Object: Decodable, Sendable {
        public struct Metadata: Decodable, Sendable { public var resourceVersion: String? }
        public var metadata: Metadata
    }
    public var object: Object
}
