import Foundation
import KubeCore
import Testing
import Yams

@testable import AirlockAdmission

/// `manifests/webhook.yaml` and `WebhookConfigurations` describe the same objects.
@Suite struct WebhookConfigurationsTests {
    static var manifestURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("manifests/webhook.yaml")
    }

    /// The manifest's documents of `kind`, as JSON.
    func documents(kind: String) throws -> [JSONValue] {
        let text = try String(contentsOf: Self.manifestURL, encoding: .utf8)
        return try text.components(separatedBy: "\n---\n").compactMap { document -> JSONValue? in
            let value = try YAMLDecoder().decode(JSONValue.self, from: document)
            // Not `? value : nil`: JSONValue is ExpressibleByNilLiteral, so that nil is `.null`.
            guard value["kind"]?.stringValue == kind else { return Optional<JSONValue>.none }
            return value
        }
    }

    @Test func theManifestMatchesTheBuilders() throws {
        let mutating = try #require(try documents(kind: "MutatingWebhookConfiguration").first)
        #expect(mutating == (try JSONValue.of(WebhookConfigurations.mutating())))
        let validating = try #require(try documents(kind: "ValidatingWebhookConfiguration").first)
        #expect(validating == (try JSONValue.of(WebhookConfigurations.validating())))
        let service = try #require(try documents(kind: "Service").first)
        #expect(service[path: ["metadata", "name"]] == .string(WebhookConfigurations.defaultServiceName))
        #expect(service[path: ["metadata", "namespace"]] == .string(WebhookConfigurations.defaultNamespace))
    }

    @Test func scopeAndSafetySettings() throws {
        let mutating = WebhookConfigurations.mutating()
        let webhook = try #require(mutating.webhooks?.first)
        #expect(webhook.failurePolicy == "Fail")
        #expect(webhook.sideEffects == "None")
        #expect(webhook.timeoutSeconds == 5)
        #expect(webhook.admissionReviewVersions == ["v1"])
        let rule = try #require(
            webhook.rules?[path: []].flatMap { if case .array(let rules) = $0 { rules.first } else { nil } })
        #expect(rule["operations"] == ["CREATE"])
        #expect(rule["resources"] == ["actionrequests", "actionreviews"])
        #expect(rule["apiGroups"] == ["airlock.dev"])
        let validatingRule = WebhookConfigurations.validating().webhooks?.first?.rules
        #expect(
            validatingRule == [
                [
                    "apiGroups": ["airlock.dev"], "apiVersions": ["v1alpha1"], "operations": ["UPDATE"],
                    "resources": ["actionrequests", "actionreviews"], "scope": "Namespaced",
                ]
            ])
    }

    @Test func urlEndpointsForLoopbackTests() throws {
        let selector: JSONValue = ["matchLabels": ["airlock.dev/webhook-test": "x"]]
        let mutating = WebhookConfigurations.mutating(
            name: "t", endpoint: .url("https://127.0.0.1:8443/"), caBundle: "Q0E=", namespaceSelector: selector)
        let client = try #require(mutating.webhooks?.first?.clientConfig)
        #expect(client.url == "https://127.0.0.1:8443/mutate")
        #expect(client.service == nil)
        #expect(client.caBundle == "Q0E=")
        #expect(mutating.webhooks?.first?.namespaceSelector == selector)
        let validating = WebhookConfigurations.validating(name: "t", endpoint: .url("https://127.0.0.1:8443"))
        #expect(validating.webhooks?.first?.clientConfig.url == "https://127.0.0.1:8443/validate")
    }
}
