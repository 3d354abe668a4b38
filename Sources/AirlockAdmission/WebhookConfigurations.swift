import AirlockAPI
import KubeCore

/// Airlock's MutatingWebhookConfiguration and ValidatingWebhookConfiguration, built in code —
/// the same objects as `manifests/webhook.yaml` (a test keeps the two in step) — reaching
/// the webhook through the Service, or at a URL (tests on loopback).
///
/// Scope: `airlock.dev` `actionrequests` and `actionreviews` only (not their `status`
/// subresource); mutating on CREATE (which also refuses malformed specs), validating on UPDATE
/// (immutability); `failurePolicy: Fail`
/// (no identity is ever stamped without the webhook), `sideEffects: None`, 5 s timeout,
/// `admissionReviewVersions: [v1]`.
public enum WebhookConfigurations {
    /// The name of both configurations (they are of different kinds).
    public static let defaultName = "airlock-webhook"
    /// The Service in front of the webhook server.
    public static let defaultServiceName = "airlock-webhook"
    /// The controller's namespace.
    public static let defaultNamespace = "airlock-system"
    /// Name of the one webhook in the mutating configuration.
    public static let mutatingWebhookName = "identity.airlock.dev"
    /// Name of the one webhook in the validating configuration.
    public static let validatingWebhookName = "validation.airlock.dev"
    public static let mutatePath = "/mutate"
    public static let validatePath = "/validate"
    public static let timeoutSeconds = 5

    /// Where the API server reaches the webhook.
    public enum Endpoint: Sendable, Equatable {
        /// A Service on port `port` (the usual in-cluster set-up).
        case service(namespace: String, name: String, port: Int)
        /// A base URL such as `https://127.0.0.1:9443` (loopback tests).
        case url(String)

        /// `airlock-webhook` in `airlock-system`, port 443.
        public static let inCluster = Endpoint.service(
            namespace: WebhookConfigurations.defaultNamespace, name: WebhookConfigurations.defaultServiceName,
            port: 443)

        func clientConfig(path: String, caBundle: String?) -> WebhookConfigurationEntry.ClientConfig {
            switch self {
            case .service(let namespace, let name, let port):
                let service: JSONValue = [
                    "namespace": .string(namespace), "name": .string(name), "path": .string(path),
                    "port": .number(Double(port)),
                ]
                return .init(service: service, caBundle: caBundle)
            case .url(let base):
                let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
                return .init(url: trimmed + path, caBundle: caBundle)
            }
        }
    }

    static func rules(operations: [String]) -> JSONValue {
        [
            [
                "apiGroups": [.string(AirlockConstants.group)],
                "apiVersions": [.string(AirlockConstants.version)],
                "operations": .array(operations.map(JSONValue.string)),
                "resources": [.string(ActionRequest.plural), .string(ActionReview.plural)],
                "scope": "Namespaced",
            ]
        ]
    }

    static let labels = [
        "app.kubernetes.io/name": "airlock", "app.kubernetes.io/component": "admission-webhook",
    ]

    /// The mutating configuration: on CREATE, refuses malformed specs and stamps and signs the
    /// creator's identity. Nothing validates after it on CREATE: the controller verifies the
    /// signature (over the spec) whenever it acts, so a later change makes the object untrusted.
    ///
    /// - Parameters:
    ///   - namespaceSelector / objectSelector: limit the webhook (tests sharing an API server
    ///     scope it to their own namespaces); nil: every namespace.
    ///   - caBundle: base64 PEM; nil leaves it to the TLS bootstrap (or cert-manager's
    ///     CA injector).
    public static func mutating(
        name: String = defaultName, endpoint: Endpoint = .inCluster, caBundle: String? = nil,
        namespaceSelector: JSONValue? = nil, objectSelector: JSONValue? = nil
    ) -> MutatingWebhookConfiguration {
        let webhook = WebhookConfigurationEntry(
            name: mutatingWebhookName, clientConfig: endpoint.clientConfig(path: mutatePath, caBundle: caBundle),
            rules: rules(operations: ["CREATE"]), admissionReviewVersions: ["v1"], sideEffects: "None",
            failurePolicy: "Fail", matchPolicy: "Equivalent", timeoutSeconds: timeoutSeconds,
            namespaceSelector: namespaceSelector ?? [:], objectSelector: objectSelector ?? [:],
            reinvocationPolicy: "Never")
        return MutatingWebhookConfiguration(metadata: ObjectMeta(name: name, labels: labels), webhooks: [webhook])
    }

    /// The validating configuration: specs are immutable (UPDATE). It costs every create an extra
    /// call otherwise; ``AdmissionHandler/validate(_:)`` still checks a CREATE for a
    /// configuration that registers it there.
    public static func validating(
        name: String = defaultName, endpoint: Endpoint = .inCluster, caBundle: String? = nil,
        namespaceSelector: JSONValue? = nil, objectSelector: JSONValue? = nil
    ) -> ValidatingWebhookConfiguration {
        let webhook = WebhookConfigurationEntry(
            name: validatingWebhookName,
            clientConfig: endpoint.clientConfig(path: validatePath, caBundle: caBundle),
            rules: rules(operations: ["UPDATE"]), admissionReviewVersions: ["v1"], sideEffects: "None",
            failurePolicy: "Fail", matchPolicy: "Equivalent", timeoutSeconds: timeoutSeconds,
            namespaceSelector: namespaceSelector ?? [:], objectSelector: objectSelector ?? [:])
        return ValidatingWebhookConfiguration(metadata: ObjectMeta(name: name, labels: labels), webhooks: [webhook])
    }
}
