/// `rbac.authorization.k8s.io/v1 PolicyRule`.
public struct PolicyRule: Codable, Sendable, Hashable {
    public var apiGroups: [String]?
    public var resources: [String]?
    public var verbs: [String]
    public var resourceNames: [String]?
    public var nonResourceURLs: [String]?

    public init(
        apiGroups: [String]?, resources: [String]?, verbs: [String], resourceNames: [String]? = nil,
        nonResourceURLs: [String]? = nil
    ) {
        self.apiGroups = apiGroups
        self.resources = resources
        self.verbs = verbs
        self.resourceNames = resourceNames
        self.nonResourceURLs = nonResourceURLs
    }
}

/// A ClusterRole's `aggregationRule`: its rules are the union of the ClusterRoles its
/// selectors match.
public struct AggregationRule: Codable, Sendable, Hashable {
    public var clusterRoleSelectors: [LabelSelectorSpec]?

    public init(clusterRoleSelectors: [LabelSelectorSpec]?) {
        self.clusterRoleSelectors = clusterRoleSelectors
    }
}

/// A `metav1.LabelSelector`: `matchLabels` and `matchExpressions`, all of which must hold.
public struct LabelSelectorSpec: Codable, Sendable, Hashable {
    public struct Requirement: Codable, Sendable, Hashable {
        public var key: String
        /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
        public var `operator`: String
        public var values: [String]?

        public init(key: String, operator: String, values: [String]? = nil) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }
    }

    public var matchLabels: [String: String]?
    public var matchExpressions: [Requirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [Requirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// The selector in the `labelSelector` query syntax (`a=b,c in (d,e),!f`); nil when an
    /// operator is unknown. An empty selector is the empty string (it matches everything).
    public var queryString: String? {
        var parts = (matchLabels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        for requirement in matchExpressions ?? [] {
            let values = (requirement.values ?? []).sorted().joined(separator: ",")
            switch requirement.operator {
            case "In": parts.append("\(requirement.key) in (\(values))")
            case "NotIn": parts.append("\(requirement.key) notin (\(values))")
            case "Exists": parts.append(requirement.key)
            case "DoesNotExist": parts.append("!\(requirement.key)")
            default: return nil
            }
        }
        return parts.joined(separator: ",")
    }
}

/// The subject of a binding: a User, Group or ServiceAccount.
public struct RBACSubject: Codable, Sendable, Hashable {
    public var kind: String
    public var name: String
    public var namespace: String?
    public var apiGroup: String?

    public init(kind: String, name: String, namespace: String? = nil, apiGroup: String? = nil) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.apiGroup = apiGroup
    }

    public static func user(_ name: String) -> Self {
        .init(kind: "User", name: name, apiGroup: "rbac.authorization.k8s.io")
    }
    public static func group(_ name: String) -> Self {
        .init(kind: "Group", name: name, apiGroup: "rbac.authorization.k8s.io")
    }
    public static func serviceAccount(_ name: String, namespace: String) -> Self {
        .init(kind: "ServiceAccount", name: name, namespace: namespace, apiGroup: "")
    }
}

/// A binding's reference to a Role or ClusterRole.
public struct RoleRef: Codable, Sendable, Hashable {
    public var apiGroup: String
    public var kind: String
    public var name: String

    public init(kind: String, name: String) {
        self.apiGroup = "rbac.authorization.k8s.io"
        self.kind = kind
        self.name = name
    }
}

/// `rbac.authorization.k8s.io/v1 Role`.
public struct Role: KubeResource, Hashable {
    public static let group = "rbac.authorization.k8s.io", version = "v1", kind = "Role", plural = "roles"
    public static let scope = ResourceScope.namespaced
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var rules: [PolicyRule]?

    public init(metadata: ObjectMeta, rules: [PolicyRule]) {
        self.metadata = metadata
        self.rules = rules
    }
}

/// `rbac.authorization.k8s.io/v1 ClusterRole`.
public struct ClusterRole: KubeResource, Hashable {
    public static let group = "rbac.authorization.k8s.io", version = "v1", kind = "ClusterRole"
    public static let plural = "clusterroles", scope = ResourceScope.cluster
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var rules: [PolicyRule]?
    public var aggregationRule: AggregationRule?

    public init(metadata: ObjectMeta, rules: [PolicyRule], aggregationRule: AggregationRule? = nil) {
        self.metadata = metadata
        self.rules = rules
        self.aggregationRule = aggregationRule
    }
}

/// `rbac.authorization.k8s.io/v1 RoleBinding`.
public struct RoleBinding: KubeResource, Hashable {
    public static let group = "rbac.authorization.k8s.io", version = "v1", kind = "RoleBinding"
    public static let plural = "rolebindings", scope = ResourceScope.namespaced
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var subjects: [RBACSubject]?
    public var roleRef: RoleRef

    public init(metadata: ObjectMeta, subjects: [RBACSubject], roleRef: RoleRef) {
        self.metadata = metadata
        self.subjects = subjects
        self.roleRef = roleRef
    }
}

/// `rbac.authorization.k8s.io/v1 ClusterRoleBinding`.
public struct ClusterRoleBinding: KubeResource, Hashable {
    public static let group = "rbac.authorization.k8s.io", version = "v1", kind = "ClusterRoleBinding"
    public static let plural = "clusterrolebindings", scope = ResourceScope.cluster
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var subjects: [RBACSubject]?
    public var roleRef: RoleRef

    public init(metadata: ObjectMeta, subjects: [RBACSubject], roleRef: RoleRef) {
        self.metadata = metadata
        self.subjects = subjects
        self.roleRef = roleRef
    }
}
