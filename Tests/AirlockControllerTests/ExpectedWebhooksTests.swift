import KubeCore
import Testing

@testable import AirlockController

/// A webhook's rules may name more operations than Airlock registers (it then checks more),
/// never fewer, and nothing else about them may differ.
@Suite struct ExpectedWebhooksTests {
    static func rules(
        operations: [JSONValue], resources: [JSONValue] = ["actionrequests", "actionreviews"]
    ) -> JSONValue {
        [
            [
                "apiGroups": ["airlock.dev"], "apiVersions": ["v1alpha1"], "operations": .array(operations),
                "resources": .array(resources), "scope": "Namespaced",
            ]
        ]
    }

    static func webhook(_ rules: JSONValue) -> WebhookConfigurationEntry {
        WebhookConfigurationEntry(
            name: "validation.airlock.dev", clientConfig: .init(url: "https://127.0.0.1:9443/validate"),
            rules: rules, failurePolicy: "Fail")
    }

    func problems(found rules: JSONValue) -> [String] {
        ExpectedWebhooks.problems(
            kind: "ValidatingWebhookConfiguration", name: "airlock-webhook",
            expected: [Self.webhook(Self.rules(operations: ["UPDATE"]))], found: [Self.webhook(rules)])
    }

    @Test func moreOperationsThanRegisteredAreWhole() {
        #expect(problems(found: Self.rules(operations: ["UPDATE"])).isEmpty)
        // The validating webhook of earlier manifests, and a wildcard.
        #expect(problems(found: Self.rules(operations: ["CREATE", "UPDATE"])).isEmpty)
        #expect(problems(found: Self.rules(operations: ["*"])).isEmpty)
    }

    @Test func fewerOperationsOrOtherResourcesAreAltered() {
        let altered = ["ValidatingWebhookConfiguration airlock-webhook webhook validation.airlock.dev: rules changed"]
        #expect(problems(found: Self.rules(operations: ["CREATE"])) == altered)
        #expect(problems(found: Self.rules(operations: [])) == altered)
        #expect(problems(found: Self.rules(operations: ["CREATE", "UPDATE"], resources: ["actionreviews"])) == altered)
        #expect(problems(found: []) == altered)
    }
}
