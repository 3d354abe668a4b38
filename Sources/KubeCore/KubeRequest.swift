import Foundation

/// An HTTP request to the API server, built without I/O (so URL building is unit-testable).
public struct KubeRequest: Sendable, Equatable {
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"
    }

    public var method: Method
    /// Path below the server URL, starting with `/`.
    public var path: String
    public var query: [(String, String)]
    public var body: Data?
    public var contentType: String?
    /// The `Accept` header (nil: `application/json`).
    public var accept: String?

    public init(
        method: Method, path: String, query: [(String, String)] = [], body: Data? = nil, contentType: String? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.contentType = contentType
    }

    /// Asks for only the metadata of the object in the answer (the API server converts it to a
    /// `PartialObjectMetadata`), or the whole object from a server that cannot.
    public func metadataOnly(list: Bool = false) -> KubeRequest {
        var request = self
        let kind = list ? "PartialObjectMetadataList" : "PartialObjectMetadata"
        request.accept = "application/json;as=\(kind);g=meta.k8s.io;v=v1, application/json"
        return request
    }

    /// `path?query` with each query value percent-encoded.
    public var pathAndQuery: String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\($0.0)=\(Self.percentEncode($0.1))" }.joined(separator: "&")
    }

    /// Whether retrying can never apply a change twice.
    public var isIdempotent: Bool { method == .get || method == .put || method == .delete }

    public static func == (lhs: KubeRequest, rhs: KubeRequest) -> Bool {
        lhs.method == rhs.method && lhs.pathAndQuery == rhs.pathAndQuery && lhs.body == rhs.body
            && lhs.contentType == rhs.contentType && lhs.accept == rhs.accept
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func percentEncode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }
}

/// Options of a list or watch call.
public struct ListOptions: Sendable, Equatable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var limit: Int?
    public var `continue`: String?
    public var resourceVersion: String?
    /// `NotOlderThan` or `Exact`, with `resourceVersion`.
    public var resourceVersionMatch: String?
    public var timeoutSeconds: Int?
    public var allowWatchBookmarks: Bool

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continue: String? = nil,
        resourceVersion: String? = nil, resourceVersionMatch: String? = nil, timeoutSeconds: Int? = nil,
        allowWatchBookmarks: Bool = true
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continue = `continue`
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
        self.allowWatchBookmarks = allowWatchBookmarks
    }

    func queryItems(watch: Bool) -> [(String, String)] {
        var items: [(String, String)] = []
        if watch { items.append(("watch", "1")) }
        if let labelSelector { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector { items.append(("fieldSelector", fieldSelector)) }
        if !watch, let limit { items.append(("limit", String(limit))) }
        if !watch, let value = self.continue { items.append(("continue", value)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        if !watch, let resourceVersionMatch { items.append(("resourceVersionMatch", resourceVersionMatch)) }
        if let timeoutSeconds { items.append(("timeoutSeconds", String(timeoutSeconds))) }
        if watch, allowWatchBookmarks { items.append(("allowWatchBookmarks", "true")) }
        return items
    }
}

/// How dependents are handled on delete.
public enum PropagationPolicy: String, Sendable, Codable {
    case orphan = "Orphan", background = "Background", foreground = "Foreground"
}

/// Options of a delete call.
public struct DeleteOptions: Sendable, Equatable, Encodable {
    public struct Preconditions: Sendable, Equatable, Encodable {
        public var uid: String?
        public var resourceVersion: String?
    }

    public var apiVersion = "v1"
    public var kind = "DeleteOptions"
    public var propagationPolicy: PropagationPolicy?
    public var preconditions: Preconditions?
    public var gracePeriodSeconds: Int?

    public init(
        propagationPolicy: PropagationPolicy? = nil, uid: String? = nil, resourceVersion: String? = nil,
        gracePeriodSeconds: Int? = nil
    ) {
        self.propagationPolicy = propagationPolicy
        if uid != nil || resourceVersion != nil {
            self.preconditions = Preconditions(uid: uid, resourceVersion: resourceVersion)
        }
        self.gracePeriodSeconds = gracePeriodSeconds
    }
}

/// A patch body and its content type.
public enum Patch: Sendable {
    /// RFC 7386 JSON merge patch.
    case merge(JSONValue)
    /// RFC 6902 JSON patch operations.
    case json([JSONPatchOperation])
    /// Server-side apply of a (partial) object.
    case apply(JSONValue, fieldManager: String, force: Bool)

    public var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .json: return "application/json-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }
}

/// One RFC 6902 operation.
public struct JSONPatchOperation: Sendable, Encodable, Equatable {
    public var op: String
    public var path: String
    public var value: JSONValue?
    public var from: String?

    public static func add(_ path: String, _ value: JSONValue) -> Self { .init(op: "add", path: path, value: value) }
    public static func replace(_ path: String, _ value: JSONValue) -> Self {
        .init(op: "replace", path: path, value: value)
    }
    public static func remove(_ path: String) -> Self { .init(op: "remove", path: path) }
    public static func test(_ path: String, _ value: JSONValue) -> Self { .init(op: "test", path: path, value: value) }
}

/// Builds the requests of the generic resource API. Pure: no I/O.
public struct RequestBuilder<R: KubeResource>: Sendable {
    public init() {}

    /// `/api/v1/namespaces/ns/plural/name/subresource` (or `/apis/group/version/...`).
    public func path(namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var path = R.group.isEmpty ? "/api/\(R.version)" : "/apis/\(R.group)/\(R.version)"
        if R.scope == .namespaced, let namespace { path += "/namespaces/\(namespace)" }
        path += "/\(R.plural)"
        if let name { path += "/\(name)" }
        if let subresource { path += "/\(subresource)" }
        return path
    }

    public func get(name: String, namespace: String?) -> KubeRequest {
        KubeRequest(method: .get, path: path(namespace: namespace, name: name))
    }

    public func list(namespace: String?, options: ListOptions) -> KubeRequest {
        KubeRequest(method: .get, path: path(namespace: namespace), query: options.queryItems(watch: false))
    }

    public func watch(namespace: String?, options: ListOptions) -> KubeRequest {
        KubeRequest(method: .get, path: path(namespace: namespace), query: options.queryItems(watch: true))
    }

    public func create(_ object: R, namespace: String?, fieldManager: String? = nil) throws -> KubeRequest {
        var object = object
        object.setTypeMeta()
        return KubeRequest(
            method: .post, path: path(namespace: namespace), query: fieldManager.map { [("fieldManager", $0)] } ?? [],
            body: try KubeJSON.encode(object), contentType: "application/json")
    }

    /// A PUT of the whole object (or of its status): the object's resourceVersion guards it.
    public func update(_ object: R, subresource: String? = nil) throws -> KubeRequest {
        var object = object
        object.setTypeMeta()
        return KubeRequest(
            method: .put,
            path: path(namespace: object.metadata.namespace, name: object.metadata.name, subresource: subresource),
            body: try KubeJSON.encode(object), contentType: "application/json")
    }

    public func patch(name: String, namespace: String?, patch: Patch, subresource: String? = nil) throws -> KubeRequest
    {
        var query: [(String, String)] = []
        let body: Data
        switch patch {
        case .merge(let value): body = try KubeJSON.encode(value)
        case .json(let operations): body = try KubeJSON.encode(operations)
        case .apply(let value, let fieldManager, let force):
            body = try KubeJSON.encode(value)
            query.append(("fieldManager", fieldManager))
            if force { query.append(("force", "true")) }
        }
        return KubeRequest(
            method: .patch, path: path(namespace: namespace, name: name, subresource: subresource), query: query,
            body: body, contentType: patch.contentType)
    }

    public func delete(name: String, namespace: String?, options: DeleteOptions) throws -> KubeRequest {
        KubeRequest(
            method: .delete, path: path(namespace: namespace, name: name), body: options.jsonBody,
            contentType: "application/json")
    }

    /// A DELETE of every object matching `labelSelector` in `namespace` (or of the cluster-scoped
    /// kind): one call however many match.
    public func deleteCollection(
        namespace: String?, labelSelector: String, options: DeleteOptions
    ) throws
        -> KubeRequest
    {
        KubeRequest(
            method: .delete, path: path(namespace: namespace), query: [("labelSelector", labelSelector)],
            body: options.jsonBody, contentType: "application/json")
    }

    /// A POST to a subresource of a named object (`serviceaccounts/x/token`).
    public func createSubresource<Body: Encodable>(
        name: String, namespace: String?, subresource: String, body: Body
    ) throws -> KubeRequest {
        KubeRequest(
            method: .post, path: path(namespace: namespace, name: name, subresource: subresource),
            body: try KubeJSON.encode(body), contentType: "application/json")
    }
}

extension KubeRequest {
    /// The Kubernetes verb and resource of the request, as metrics label them:
    /// (`get`|`list`|`watch`|`create`|`update`|`patch`|`delete`|`deletecollection`, `pods`,
    /// `actionrequests/status`). Non-resource paths (`/readyz`) have resource `""`.
    public var verbAndResource: (verb: String, resource: String) {
        // Split by bytes: this runs for every call, for its metric.
        let parts = path.utf8.split(separator: UInt8(ascii: "/")).map { Substring($0) }
        // /api/v1/... or /apis/group/version/...
        var rest: ArraySlice<Substring>
        if parts.first == "api", parts.count >= 2 {
            rest = parts.dropFirst(2)
        } else if parts.first == "apis", parts.count >= 3 {
            rest = parts.dropFirst(3)
        } else {
            return (method.rawValue.lowercased(), "")
        }
        if rest.first == "namespaces", rest.count >= 3 { rest = rest.dropFirst(2) }
        let resource = String(rest.first ?? "")
        let named = rest.count >= 2
        let subresource = rest.count >= 3 ? "/" + rest[rest.startIndex + 2] : ""
        let verb: String
        switch method {
        case .get:
            verb =
                named
                ? "get" : (query.contains { $0.0 == "watch" && ($0.1 == "1" || $0.1 == "true") } ? "watch" : "list")
        case .post: verb = "create"
        case .put: verb = "update"
        case .patch: verb = "patch"
        case .delete: verb = named ? "delete" : "deletecollection"
        }
        return (verb, resource + subresource)
    }
}
