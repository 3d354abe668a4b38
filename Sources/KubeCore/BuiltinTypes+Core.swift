import Foundation

/// `v1 Namespace`.
public struct Namespace: KubeResource, Hashable {
    public static let group = "", version = "v1", kind = "Namespace", plural = "namespaces"
    public static let scope = ResourceScope.cluster
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta

    public init(name: String, labels: [String: String]? = nil) {
        self.metadata = ObjectMeta(name: name, labels: labels)
    }
}

/// `v1 ConfigMap`.
public struct ConfigMap: KubeResource, Hashable {
    public static let group = "", version = "v1", kind = "ConfigMap", plural = "configmaps"
    public static let scope = ResourceScope.namespaced
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var data: [String: String]?

    public init(metadata: ObjectMeta, data: [String: String]? = nil) {
        self.metadata = metadata
        self.data = data
    }
}

/// `v1 ServiceAccount`.
public struct ServiceAccount: KubeResource, Hashable {
    public static let group = "", version = "v1", kind = "ServiceAccount", plural = "serviceaccounts"
    public static let scope = ResourceScope.namespaced
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var automountServiceAccountToken: Bool?

    public init(metadata: ObjectMeta, automountServiceAccountToken: Bool? = nil) {
        self.metadata = metadata
        self.automountServiceAccountToken = automountServiceAccountToken
    }
}

/// `v1 Secret`. `data` values are raw bytes (base64 on the wire).
public struct Secret: KubeResource, Hashable {
    public static let group = "", version = "v1", kind = "Secret", plural = "secrets"
    public static let scope = ResourceScope.namespaced
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var type: String?
    public var data: [String: Data]?
    public var immutable: Bool?

    public init(metadata: ObjectMeta, type: String? = "Opaque", data: [String: Data]? = nil, immutable: Bool? = nil) {
        self.metadata = metadata
        self.type = type
        self.data = data
        self.immutable = immutable
    }

    /// Secrets print no values: their bytes must never reach a log.
    public var redactedDescription: String {
        "Secret(\(key), keys: \((data ?? [:]).keys.sorted().joined(separator: ",")))"
    }
}

/// `authentication.k8s.io/v1 TokenRequest`, posted to `serviceaccounts/NAME/token`.
public struct TokenRequest: KubeResource {
    public static let group = "authentication.k8s.io", version = "v1", kind = "TokenRequest"
    public static let plural = "tokenrequests", scope = ResourceScope.namespaced
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public struct Spec: Codable, Sendable {
        public var audiences: [String]
        public var expirationSeconds: Int64?
        public init(audiences: [String], expirationSeconds: Int64?) {
            self.audiences = audiences
            self.expirationSeconds = expirationSeconds
        }
    }

    public struct Status: Codable, Sendable {
        public var token: String
        public var expirationTimestamp: Date
    }

    public init(audiences: [String] = [], expirationSeconds: Int64?) {
        self.metadata = ObjectMeta()
        self.spec = Spec(audiences: audiences, expirationSeconds: expirationSeconds)
    }
}

/// `authentication.k8s.io/v1 TokenReview`: asks who a token belongs to.
public struct TokenReview: KubeResource {
    public static let group = "authentication.k8s.io", version = "v1", kind = "TokenReview"
    public static let plural = "tokenreviews", scope = ResourceScope.cluster
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public struct Spec: Codable, Sendable {
        public var token: String
        public var audiences: [String]?
    }

    public struct Status: Codable, Sendable {
        public var authenticated: Bool?
        public var user: UserInfo?
        public var audiences: [String]?
        public var error: String?
    }

    public init(token: String, audiences: [String]? = nil) {
        self.metadata = ObjectMeta()
        self.spec = Spec(token: token, audiences: audiences)
    }
}

/// The authenticated user an API call came from.
public struct UserInfo: Codable, Sendable, Hashable {
    public var username: String?
    public var uid: String?
    public var groups: [String]?
    public var extra: [String: [String]]?

    public init(username: String?, uid: String? = nil, groups: [String]? = nil, extra: [String: [String]]? = nil) {
        self.username = username
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }
}
