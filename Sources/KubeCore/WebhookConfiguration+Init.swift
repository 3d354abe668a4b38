// Public initializers for the admission registration types (the types themselves are in
// BuiltinTypes+Extensions.swift), so webhook configurations can be built in code.

extension WebhookConfigurationEntry {
    /// (The parameter order differs from the synthesized memberwise initializer's on purpose.)
    public init(
        name: String, clientConfig: ClientConfig, rules: JSONValue? = nil, admissionReviewVersions: [String] = ["v1"],
        sideEffects: String? = nil, failurePolicy: String? = nil, matchPolicy: String? = nil,
        timeoutSeconds: Int? = nil, namespaceSelector: JSONValue? = nil, objectSelector: JSONValue? = nil,
        reinvocationPolicy: String? = nil
    ) {
        self.name = name
        self.clientConfig = clientConfig
        self.rules = rules
        self.failurePolicy = failurePolicy
        self.sideEffects = sideEffects
        self.admissionReviewVersions = admissionReviewVersions
        self.timeoutSeconds = timeoutSeconds
        self.namespaceSelector = namespaceSelector
        self.objectSelector = objectSelector
        self.matchPolicy = matchPolicy
        self.reinvocationPolicy = reinvocationPolicy
    }
}

extension WebhookConfigurationEntry.ClientConfig {
    /// A webhook reached at a URL (`https://127.0.0.1:9443/mutate`).
    public init(url: String, caBundle: String? = nil) {
        self.url = url
        self.caBundle = caBundle
    }

    /// A webhook reached through a Service (`{namespace, name, path, port}`).
    public init(service: JSONValue, caBundle: String? = nil) {
        self.service = service
        self.caBundle = caBundle
    }
}

extension MutatingWebhookConfiguration {
    /// A configuration with `apiVersion` and `kind` set.
    public init(metadata: ObjectMeta, webhooks: [WebhookConfigurationEntry]) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.webhooks = webhooks
    }
}

extension ValidatingWebhookConfiguration {
    /// A configuration with `apiVersion` and `kind` set.
    public init(metadata: ObjectMeta, webhooks: [WebhookConfigurationEntry]) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.webhooks = webhooks
    }
}
