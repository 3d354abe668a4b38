import Foundation

/// `admission.k8s.io/v1 AdmissionReview`: what the API server sends to a webhook and what
/// the webhook answers.
public struct AdmissionReview: Codable, Sendable {
    public var apiVersion: String
    public var kind: String
    public var request: Request?
    public var response: Response?

    public init(response: Response) {
        self.apiVersion = "admission.k8s.io/v1"
        self.kind = "AdmissionReview"
        self.response = response
    }

    /// A review as received (the webhook's own tests and fast decoding paths build these).
    public init(apiVersion: String, kind: String, request: Request) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.request = request
    }

    /// The resource being admitted.
    public struct GroupVersionResource: Codable, Sendable, Hashable {
        public var group: String
        public var version: String
        public var resource: String
    }

    public struct GroupVersionKind: Codable, Sendable, Hashable {
        public var group: String
        public var version: String
        public var kind: String
    }

    public struct Request: Codable, Sendable {
        public var uid: String
        public var kind: GroupVersionKind
        public var resource: GroupVersionResource
        public var subResource: String?
        public var name: String?
        public var namespace: String?
        /// CREATE, UPDATE, DELETE or CONNECT.
        public var operation: String
        public var userInfo: UserInfo
        public var object: JSONValue?
        public var oldObject: JSONValue?
        public var dryRun: Bool?

        public init(
            uid: String, kind: GroupVersionKind, resource: GroupVersionResource, subResource: String?, name: String?,
            namespace: String?, operation: String, userInfo: UserInfo, object: JSONValue?, oldObject: JSONValue?,
            dryRun: Bool?
        ) {
            self.uid = uid
            self.kind = kind
            self.resource = resource
            self.subResource = subResource
            self.name = name
            self.namespace = namespace
            self.operation = operation
            self.userInfo = userInfo
            self.object = object
            self.oldObject = oldObject
            self.dryRun = dryRun
        }
    }

    public struct Response: Codable, Sendable {
        public var uid: String
        public var allowed: Bool
        public var status: ResponseStatus?
        /// Base64 of a JSON patch, with `patchType: JSONPatch`.
        public var patch: String?
        public var patchType: String?
        public var warnings: [String]?

        /// Allows, optionally with a JSON patch.
        public static func allow(uid: String, patch: [JSONPatchOperation]? = nil) throws -> Response {
            var response = Response(uid: uid, allowed: true)
            if let patch, !patch.isEmpty {
                response.patch = try KubeJSON.encode(patch).base64EncodedString()
                response.patchType = "JSONPatch"
            }
            return response
        }

        /// Denies with an HTTP-like code (400 bad request, 403 forbidden, 422 invalid) and a message.
        public static func deny(uid: String, code: Int, message: String) -> Response {
            Response(uid: uid, allowed: false, status: ResponseStatus(code: code, message: message))
        }
    }

    public struct ResponseStatus: Codable, Sendable {
        public var code: Int?
        public var message: String?
        public var reason: String?
    }
}
