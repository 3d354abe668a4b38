import AirlockAPI
import Foundation
import KubeCore

/// Airlock's webhook configurations as they must be (built by the process from the same code
/// that registers them). A configuration is *altered* when a webhook is missing, or its rules,
/// failure policy, match policy, selectors, match conditions or endpoint differ — anything that
/// could let a request skip the webhook or reach another server. The CA bundle may change
/// (rotation), and so may the timeout.
public struct ExpectedWebhooks: Sendable {
    public var mutating: MutatingWebhookConfiguration
    public var validating: ValidatingWebhookConfiguration
    /// How long before a break was noticed its window starts (the watch sees it late).
    public var margin: TimeInterval

    public init(
        mutating: MutatingWebhookConfiguration, validating: ValidatingWebhookConfiguration, margin: TimeInterval = 10
    ) {
        self.mutating = mutating
        self.validating = validating
        self.margin = margin
    }

    /// What is wrong with the configurations found; empty when they are whole.
    public func problems(
        mutating found: MutatingWebhookConfiguration?, validating foundValidating: ValidatingWebhookConfiguration?
    ) -> [String] {
        Self.problems(
            kind: "MutatingWebhookConfiguration", name: mutating.metadata.name ?? "",
            expected: mutating.webhooks ?? [], found: found?.webhooks)
            + Self.problems(
                kind: "ValidatingWebhookConfiguration", name: validating.metadata.name ?? "",
                expected: validating.webhooks ?? [], found: foundValidating?.webhooks)
    }

    static func problems(
        kind: String, name: String, expected: [WebhookConfigurationEntry], found: [WebhookConfigurationEntry]?
    ) -> [String] {
        guard let found else { return ["\(kind) \(name) is missing"] }
        var problems: [String] = []
        for webhook in expected {
            guard let actual = found.first(where: { $0.name == webhook.name }) else {
                problems.append("\(kind) \(name) lacks webhook \(webhook.name)")
                continue
            }
            let label = "\(kind) \(name) webhook \(webhook.name)"
            if !Self.covers(actual.rules, webhook.rules) { problems.append("\(label): rules changed") }
            if actual.failurePolicy != "Fail" { problems.append("\(label): failurePolicy is not Fail") }
            if (actual.matchPolicy ?? "Equivalent") != (webhook.matchPolicy ?? "Equivalent") {
                problems.append("\(label): matchPolicy changed")
            }
            if !Self.same(actual.matchConditions, webhook.matchConditions, empty: []) {
                problems.append("\(label): matchConditions changed")
            }
            if !Self.same(actual.namespaceSelector, webhook.namespaceSelector) {
                problems.append("\(label): namespaceSelector changed")
            }
            if !Self.same(actual.objectSelector, webhook.objectSelector) {
                problems.append("\(label): objectSelector changed")
            }
            if actual.clientConfig.url != webhook.clientConfig.url
                || actual.clientConfig.service != webhook.clientConfig.service
            {
                problems.append("\(label): endpoint changed")
            }
        }
        return problems
    }

    /// Whether `found` are the `expected` rules, each rule's operations allowed to be more: a
    /// webhook called for more operations checks more, never less (the validating webhook of
    /// earlier manifests was registered for CREATE too).
    static func covers(_ found: JSONValue?, _ expected: JSONValue?) -> Bool {
        guard case .array(let foundRules)? = found, case .array(let expectedRules)? = expected,
            foundRules.count == expectedRules.count
        else { return found == expected }
        return zip(foundRules, expectedRules).allSatisfy { found, expected in
            guard case .object(var foundRule) = found, case .object(var expectedRule) = expected,
                case .array(let foundOperations)? = foundRule.removeValue(forKey: "operations"),
                case .array(let expectedOperations)? = expectedRule.removeValue(forKey: "operations")
            else { return found == expected }
            let operations = Set(foundOperations)
            return foundRule == expectedRule
                && (operations.contains("*") || operations.isSuperset(of: expectedOperations))
        }
    }

    /// Selectors (and condition lists) compare with an absent one equal to the empty one.
    private static func same(_ lhs: JSONValue?, _ rhs: JSONValue?, empty: JSONValue = [:]) -> Bool {
        (lhs ?? empty) == (rhs ?? empty)
    }
}
