import AirlockAPI
import Foundation
import KubeCore
import Testing

/// Keeps the Swift types and the CRD schemas from drifting apart.
@Suite struct SchemaTests {
    private func openAPISchema(kind: String, includeCELRules: Bool = true) throws -> JSONValue {
        let crd = try #require(
            AirlockCRDs.customResourceDefinitions(includeCELRules: includeCELRules).first {
                $0.spec["names"]?["kind"]?.stringValue == kind
            })
        guard case .array(let versions) = crd.spec["versions"], let version = versions.first else {
            Issue.record("no versions in \(kind)")
            return .null
        }
        return try #require(version["schema"]?["openAPIV3Schema"])
    }

    @Test func fullyPopulatedObjectsFitTheirSchema() throws {
        for (kind, json) in try Examples.encoded() {
            let problems = SchemaChecker.check(json, against: try openAPISchema(kind: kind))
            #expect(problems.isEmpty, "\(kind): \(problems.joined(separator: "\n"))")
        }
    }

    @Test func everySchemaFieldIsProducedByTheTypes() throws {
        for (kind, json) in try Examples.encoded() {
            let declared = SchemaChecker.propertyPaths(of: try openAPISchema(kind: kind))
            let produced = SchemaChecker.memberPaths(of: json)
            let unused = declared.subtracting(produced).sorted()
            #expect(unused.isEmpty, "\(kind): schema fields no Swift field encodes: \(unused)")
        }
    }

    @Test func checkerCatchesUnknownAndMissingFields() throws {
        var json = try Examples.json(Examples.approvalPolicy)
        guard case .object(var root) = json, case .object(var spec) = root["spec"] else {
            Issue.record("not an object")
            return
        }
        spec["bogus"] = "x"
        spec["decision"] = "Maybe"
        spec["match"] = nil
        root["spec"] = .object(spec)
        json = .object(root)
        let problems = SchemaChecker.check(json, against: try openAPISchema(kind: ApprovalPolicy.kind))
        #expect(problems.contains { $0.hasPrefix(".spec.bogus:") })
        #expect(problems.contains { $0.hasPrefix(".spec.decision:") })
        #expect(problems.contains { $0.hasPrefix(".spec.match: required") })
    }

    @Test func everyFieldHasADescription() throws {
        for kind in [ActionRequest.kind, ActionReview.kind, ApprovalPolicy.kind] {
            for node in SchemaChecker.nodes(of: try openAPISchema(kind: kind)) where node.path != ".metadata" {
                let description = node.schema["description"]?.stringValue ?? ""
                #expect(!description.isEmpty, "\(kind)\(node.path) has no description")
            }
        }
    }

    @Test func rootMetadataIsOnlyTypeObject() throws {
        // The API server rejects anything else at the root metadata.
        #expect(try openAPISchema(kind: ActionRequest.kind)["properties"]?["metadata"] == ["type": "object"])
    }

    @Test func enumsComeFromTheSwiftEnums() throws {
        let request = try openAPISchema(kind: ActionRequest.kind)
        let status = try #require(request["properties"]?["status"]?["properties"])
        #expect(status["phase"]?["enum"] == .array(ActionRequestPhase.allCases.map { .string($0.rawValue) }))
        #expect(status["decision"]?["properties"]?["outcome"]?["enum"] == ["AutoApprove", "RequireApproval", "Deny"])
        let spec = try #require(request["properties"]?["spec"])
        #expect(spec["properties"]?["credential"]?["enum"] == ["Ephemeral", "Subject"])
        #expect(spec["properties"]?["credential"]?["default"] == "Ephemeral")
        #expect(spec["required"] == ["duration", "reason"])
        #expect(status["expiresAt"]?["format"] == "date-time")
        #expect(status["conditions"]?["x-kubernetes-list-type"] == "map")
        #expect(status["conditions"]?["x-kubernetes-list-map-keys"] == ["type"])
    }

    @Test(arguments: ["15m", "1h30m", "90s", "1.5h", "250ms", "2h0m0s", "10µs", "10us"])
    func durationPatternAcceptsGoDurations(text: String) throws {
        let regex = try NSRegularExpression(pattern: Schema.durationPattern)
        #expect(regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil)
        #expect(throws: Never.self) { try KubeDuration(parsing: text) }
    }

    @Test(arguments: ["", "15", "soon", "-5m", "5 m", "1d", "m"])
    func durationPatternRejectsOthers(text: String) throws {
        let regex = try NSRegularExpression(pattern: Schema.durationPattern)
        #expect(regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil)
    }

    @Test func celRulesOnlyWhenAsked() throws {
        for crd in AirlockCRDs.customResourceDefinitions(includeCELRules: false) {
            let json = String(decoding: try KubeJSON.encode(crd), as: UTF8.self)
            #expect(!json.contains("x-kubernetes-validations"))
        }
        let rules = { (kind: String) throws -> [String] in
            let spec = try #require(try openAPISchema(kind: kind)["properties"]?["spec"])
            guard case .array(let rules) = spec["x-kubernetes-validations"] else { return [] }
            return rules.compactMap { $0["rule"]?.stringValue }
        }
        #expect(try rules(ActionRequest.kind).contains("self == oldSelf"))
        #expect(try rules(ActionRequest.kind).contains("has(self.permissions) || has(self.roleRef)"))
        #expect(try rules(ActionReview.kind).contains("self == oldSelf"))
        #expect(try !rules(ApprovalPolicy.kind).contains("self == oldSelf"))
    }

    @Test func withAndWithoutCELRulesDifferOnlyInRules() throws {
        func stripped(_ value: JSONValue) -> JSONValue {
            switch value {
            case .object(let members):
                return .object(members.filter { $0.key != "x-kubernetes-validations" }.mapValues(stripped))
            case .array(let items): return .array(items.map(stripped))
            default: return value
            }
        }
        let with = AirlockCRDs.customResourceDefinitions(includeCELRules: true).map { stripped($0.spec) }
        let without = AirlockCRDs.customResourceDefinitions(includeCELRules: false).map(\.spec)
        #expect(with == without)
    }
}
