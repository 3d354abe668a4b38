/// What an access review asks about a resource.
public struct ResourceAttributes: Codable, Sendable, Hashable {
    public var namespace: String?
    public var verb: String?
    public var group: String?
    public var version: String?
    public var resource: String?
    public var subresource: String?
    public var name: String?

    public init(
        namespace: String? = nil, verb: String, group: String? = nil, version: String? = nil, resource: String,
        subresource: String? = nil, name: String? = nil
    ) {
        self.namespace = namespace
        self.verb = verb
        self.group = group
        self.version = version
        self.resource = resource
        self.subresource = subresource
        self.name = name
    }
}

/// The answer of an access review.
public struct AccessReviewStatus: Codable, Sendable, Hashable {
    public var allowed: Bool
    public var denied: Bool?
    public var reason: String?
    public var evaluationError: String?
}

/// `authorization.k8s.io/v1 SubjectAccessReview`: may user U do V on R?
public struct SubjectAccessReview: KubeResource {
    public static let group = "authorization.k8s.io", version = "v1", kind = "SubjectAccessReview"
    public static let plural = "subjectaccessreviews", scope = ResourceScope.cluster
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: AccessReviewStatus?

    public struct Spec: Codable, Sendable {
        public var user: String?
        public var groups: [String]?
        public var uid: String?
        public var extra: [String: [String]]?
        public var resourceAttributes: ResourceAttributes?
    }

    public init(user: String, groups: [String]? = nil, uid: String? = nil, resourceAttributes: ResourceAttributes) {
        self.metadata = ObjectMeta()
        self.spec = Spec(user: user, groups: groups, uid: uid, resourceAttributes: resourceAttributes)
    }
}

/// `authorization.k8s.io/v1 SelfSubjectAccessReview`: may I do V on R?
public struct SelfSubjectAccessReview: KubeResource {
    public static let group = "authorization.k8s.io", version = "v1", kind = "SelfSubjectAccessReview"
    public static let plural = "selfsubjectaccessreviews", scope = ResourceScope.cluster
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: AccessReviewStatus?

    public struct Spec: Codable, Sendable {
        public var resourceAttributes: ResourceAttributes?
    }

    public init(resourceAttributes: ResourceAttributes) {
        self.metadata = ObjectMeta()
        self.spec = Spec(resourceAttributes: resourceAttributes)
    }
}
