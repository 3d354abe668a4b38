/// `apiextensions.k8s.io/v1 CustomResourceDefinition`. The spec is kept as JSON: Airlock
/// generates it from its own schema builder and only needs to read the conditions back.
public struct CustomResourceDefinition: KubeResource {
    public static let group = "apiextensions.k8s.io", version = "v1", kind = "CustomResourceDefinition"
    public static let plural = "customresourcedefinitions", scope = ResourceScope.cluster
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: JSONValue
    public var status: CRDStatus?

    public struct CRDStatus: Codable, Sendable {
        public var conditions: [CRDCondition]?
    }

    public struct CRDCondition: Codable, Sendable {
        public var type: String
        public var status: String
        public var reason: String?
        public var message: String?
    }

    public init(metadata: ObjectMeta, spec: JSONValue) {
        self.metadata = metadata
        self.spec = spec
    }

    /// Whether the API server serves the resource (`Established=True`).
    public var isEstablished: Bool {
        status?.conditions?.contains { $0.type == "Established" && $0.status == "True" } ?? false
    }
}

/// One webhook of a Mutating/ValidatingWebhookConfiguration. Kept loose (JSON), with typed
/// access to what Airlock changes: the CA bundle.
public struct WebhookConfigurationEntry: Codable, Sendable {
    public var name: String
    public var clientConfig: ClientConfig
    public var rules: JSONValue?
    public var failurePolicy: String?
    public var sideEffects: String?
    public var admissionReviewVersions: [String]
    public var timeoutSeconds: Int?
    public var namespaceSelector: JSONValue?
    public var objectSelector: JSONValue?
    public var matchPolicy: String?
    public var reinvocationPolicy: String?
    /// CEL conditions (Kubernetes 1.27+): a request skips the webhook unless all hold.
    public var matchConditions: JSONValue?

    public struct ClientConfig: Codable, Sendable {
        public var url: String?
        public var service: JSONValue?
        /// Base64-encoded PEM bundle on the wire.
        public var caBundle: String?
    }
}

/// `admissionregistration.k8s.io/v1 MutatingWebhookConfiguration`.
public struct MutatingWebhookConfiguration: KubeResource {
    public static let group = "admissionregistration.k8s.io", version = "v1"
    public static let kind = "MutatingWebhookConfiguration", plural = "mutatingwebhookconfigurations"
    public static let scope = ResourceScope.cluster
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var webhooks: [WebhookConfigurationEntry]?
}

/// `admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration`.
public struct ValidatingWebhookConfiguration: KubeResource {
    public static let group = "admissionregistration.k8s.io", version = "v1"
    public static let kind = "ValidatingWebhookConfiguration", plural = "validatingwebhookconfigurations"
    public static let scope = ResourceScope.cluster
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var webhooks: [WebhookConfigurationEntry]?
}
