/// Whether a resource lives in a namespace or at cluster scope.
public enum ResourceScope: String, Sendable, Codable {
    case namespaced = "Namespaced"
    case cluster = "Cluster"
}

/// A Kubernetes resource type: group/version/kind/plural/scope declared once per type.
public protocol KubeResource: Codable, Sendable {
    /// API group; empty for the core group.
    static var group: String { get }
    static var version: String { get }
    static var kind: String { get }
    /// Lower-case plural used in URLs.
    static var plural: String { get }
    static var scope: ResourceScope { get }

    var apiVersion: String? { get set }
    var kind: String? { get set }
    var metadata: ObjectMeta { get set }
}

extension KubeResource {
    /// `group/version`, or `version` for the core group.
    public static var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `plural.group` (`roles.rbac.authorization.k8s.io`), or the plural for the core group.
    public static var qualifiedPlural: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// The object's namespace/name key.
    public var key: ObjectKey { ObjectKey(namespace: metadata.namespace, name: metadata.name ?? "") }

    /// Sets `apiVersion` and `kind` from the type, as the API server expects on writes.
    public mutating func setTypeMeta() {
        apiVersion = Self.apiVersion
        kind = Self.kind
    }

    /// An ownerReference to this object (it must carry a uid, i.e. come from the server).
    public func ownerReference(controller: Bool = true) -> OwnerReference {
        OwnerReference(
            apiVersion: Self.apiVersion, kind: Self.kind, name: metadata.name ?? "",
            uid: metadata.uid ?? "", controller: controller, blockOwnerDeletion: true)
    }
}

/// Identifies an object: namespace (nil for cluster scope) and name.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String?
    public var name: String

    public init(namespace: String?, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// `namespace/name`, or `name` at cluster scope.
    public var description: String { namespace.map { "\($0)/\(name)" } ?? name }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool { lhs.description < rhs.description }
}

/// A page of a list answer.
public struct ObjectList<Item: KubeResource>: Codable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta
    public var items: [Item]

    public init(metadata: ListMeta = ListMeta(), items: [Item]) {
        self.metadata = metadata
        self.items = items
    }
}
