import Foundation
import KubeCore
import Testing

@Suite struct TypesTests {
    @Test func secretDataIsBase64OnTheWire() throws {
        let secret = Secret(metadata: ObjectMeta(name: "s"), data: ["token": Data("abc".utf8)])
        let json = String(decoding: try KubeJSON.encode(secret), as: UTF8.self)
        #expect(json.contains(#""token":"YWJj""#))
        #expect(!secret.redactedDescription.contains("abc"))
    }

    @Test func decodesStatusWithCauses() throws {
        let body = #"""
            {"kind":"Status","apiVersion":"v1","status":"Failure","message":"ActionRequest.airlock.dev \"x\" is invalid: spec.duration: Invalid value: \"soon\"","reason":"Invalid","details":{"name":"x","group":"airlock.dev","kind":"ActionRequest","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: \"soon\"","field":"spec.duration"}]},"code":422}
            """#
        let status = try KubeJSON.decode(Status.self, from: Data(body.utf8))
        #expect(status.code == 422)
        #expect(status.reason == "Invalid")
        #expect(status.details?.causes?.first?.field == "spec.duration")
    }

    @Test func conditionsKeepTransitionTimeWhenStatusUnchanged() {
        var conditions: [Condition] = []
        let first = Date(timeIntervalSince1970: 100)
        conditions.set(Condition(type: "Ready", status: "False", lastTransitionTime: first, reason: "A", message: ""))
        conditions.set(
            Condition(
                type: "Ready", status: "False", lastTransitionTime: Date(timeIntervalSince1970: 200), reason: "B",
                message: ""))
        #expect(conditions[type: "Ready"]?.lastTransitionTime == first)
        #expect(conditions[type: "Ready"]?.reason == "B")
        conditions.set(
            Condition(
                type: "Ready", status: "True", lastTransitionTime: Date(timeIntervalSince1970: 300), reason: "C",
                message: ""))
        #expect(conditions[type: "Ready"]?.lastTransitionTime == Date(timeIntervalSince1970: 300))
        #expect(conditions.count == 1)
    }

    @Test func leaseMicroTimeRoundTrip() throws {
        let lease = Lease(
            metadata: ObjectMeta(name: "l"),
            spec: .init(
                holderIdentity: "a", leaseDurationSeconds: 15,
                renewTime: Date(timeIntervalSince1970: 1_700_000_000.123456)))
        let decoded = try KubeJSON.decode(Lease.self, from: try KubeJSON.encode(lease))
        let renew = try #require(decoded.spec?.renewTime)
        #expect(abs(renew.timeIntervalSince1970 - 1_700_000_000.123456) < 1e-6)
    }

    @Test func jsonValueRoundTrip() throws {
        let value: JSONValue = ["a": [1, "two", true, nil], "b": ["c": 1.5]]
        #expect(try KubeJSON.decode(JSONValue.self, from: try KubeJSON.encode(value)) == value)
        #expect(value["b"]?["c"] == .number(1.5))
    }

    @Test func objectKeyDescription() {
        #expect(ObjectKey(namespace: "ns", name: "a").description == "ns/a")
        #expect(ObjectKey(namespace: nil, name: "a").description == "a")
    }
}

/// `KubeJSON.nestingDepth(of:)`: counts arrays and objects, not brackets inside strings.
@Suite struct NestingDepthTests {
    @Test(arguments: [
        ("1", 0), ("\"[[[\"", 0), ("[]", 1), ("{\"a\":[1,{\"b\":[]}]}", 4), ("[\"]\\\"[\",[]]", 2),
        (String(repeating: "[", count: 600) + String(repeating: "]", count: 600), 600), ("[[[", 3),
    ])
    func depth(_ json: String, _ expected: Int) {
        #expect(KubeJSON.nestingDepth(of: Array(json.utf8)) == expected)
        #expect(!KubeJSON.shape(of: Array(json.utf8)).rawControlCharacter)
    }

    @Test func rawControlCharactersInStringsAreSeen() {
        #expect(KubeJSON.shape(of: Array("{\"a\u{1B}b\":1}".utf8)).rawControlCharacter)
        #expect(!KubeJSON.shape(of: Array("{\n\t\"a\":\"\\u001b\"}".utf8)).rawControlCharacter)
    }
}
