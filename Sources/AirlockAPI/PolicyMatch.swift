/// Which ActionRequests an ApprovalPolicy applies to. Every set criterion must hold; an
/// omitted or empty list matches anything.
public struct PolicyMatch: Codable, Sendable, Hashable {
    /// Namespaces the ActionRequest itself is in.
    public var requestNamespaces: [String]?
    /// Who asks.
    public var requesters: RequesterMatch?
    /// Namespaces the request asks access in (`permissions[].namespace`, `roleRef.namespace`).
    public var targetNamespaces: [String]?
    /// Resources asked for: `resource` (core group) or `resource.group`, with an optional
    /// subresource (`pods`, `deployments.apps`, `pods/exec`).
    public var resources: [String]?
    /// Verbs asked for.
    public var verbs: [String]?
    /// true: matches requests with cluster-scoped access and allows them; false: matches only
    /// namespaced requests; nil: either (cluster-scoped access still needs a policy with true).
    public var clusterScope: Bool?

    public init(
        requestNamespaces: [String]? = nil, requesters: RequesterMatch? = nil, targetNamespaces: [String]? = nil,
        resources: [String]? = nil, verbs: [String]? = nil, clusterScope: Bool? = nil
    ) {
        self.requestNamespaces = requestNamespaces
        self.requesters = requesters
        self.targetNamespaces = targetNamespaces
        self.resources = resources
        self.verbs = verbs
        self.clusterScope = clusterScope
    }
}

/// Requesters a policy matches: the requester matches when it is any of the listed users,
/// in any of the groups, or any of the service accounts. Omitted entirely: anyone.
public struct RequesterMatch: Codable, Sendable, Hashable {
    /// Usernames.
    public var users: [String]?
    /// Group names.
    public var groups: [String]?
    /// Service accounts as `namespace/name`.
    public var serviceAccounts: [String]?

    public init(users: [String]? = nil, groups: [String]? = nil, serviceAccounts: [String]? = nil) {
        self.users = users
        self.groups = groups
        self.serviceAccounts = serviceAccounts
    }
}
