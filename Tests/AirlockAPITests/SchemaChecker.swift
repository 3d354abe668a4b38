import Foundation
import KubeCore

/// A small OpenAPI checker for the subset of structural schemas Airlock's CRDs use, so the
/// tests can tell whether what the Swift types encode is what the CRDs accept (the API server
/// silently prunes unknown fields, so a mismatch would lose data, not fail).
struct SchemaChecker {
    /// Problems found, each as `path: problem`.
    private(set) var problems: [String] = []

    static func check(_ value: JSONValue, against schema: JSONValue) -> [String] {
        var checker = SchemaChecker()
        checker.check(value, schema, path: "")
        return checker.problems
    }

    private mutating func fail(_ path: String, _ problem: String) {
        problems.append("\(path.isEmpty ? "<root>" : path): \(problem)")
    }

    private mutating func check(_ value: JSONValue, _ schema: JSONValue, path: String) {
        switch schema["type"]?.stringValue {
        case "object":
            guard case .object(let members) = value else { return fail(path, "expected an object, got \(value)") }
            if let additional = schema["additionalProperties"] {
                for (key, member) in members { check(member, additional, path: "\(path).\(key)") }
                return
            }
            guard case .object(let properties) = schema["properties"] else {
                // `metadata` at the root: ObjectMeta, validated by the API server itself.
                return
            }
            for (key, member) in members {
                guard let property = properties[key] else {
                    fail("\(path).\(key)", "not in the schema (the API server would prune it)")
                    continue
                }
                check(member, property, path: "\(path).\(key)")
            }
            if case .array(let required) = schema["required"] {
                for case .string(let key) in required where members[key] == nil {
                    fail("\(path).\(key)", "required but missing")
                }
            }
        case "array":
            guard case .array(let items) = value else { return fail(path, "expected an array, got \(value)") }
            if let minItems = number(schema["minItems"]), Double(items.count) < minItems {
                fail(path, "fewer than \(minItems) items")
            }
            if let maxItems = number(schema["maxItems"]), Double(items.count) > maxItems {
                fail(path, "more than \(maxItems) items")
            }
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() { check(item, itemSchema, path: "\(path)[\(index)]") }
            }
            if case .array(let keys) = schema["x-kubernetes-list-map-keys"] {
                let identities = items.map { item in keys.map { key in key.stringValue.flatMap { item[$0] } } }
                if Set(identities).count != identities.count { fail(path, "duplicate list-map keys") }
            }
        case "string":
            guard case .string(let text) = value else { return fail(path, "expected a string, got \(value)") }
            checkString(text, schema, path: path)
        case "integer":
            guard case .number(let number) = value, number.rounded() == number else {
                return fail(path, "expected an integer, got \(value)")
            }
            if let minimum = self.number(schema["minimum"]), number < minimum { fail(path, "below \(minimum)") }
            if let maximum = self.number(schema["maximum"]), number > maximum { fail(path, "above \(maximum)") }
        case "boolean":
            guard case .bool = value else { return fail(path, "expected a boolean, got \(value)") }
        default:
            fail(path, "schema without a known type: \(schema)")
        }
    }

    private mutating func checkString(_ text: String, _ schema: JSONValue, path: String) {
        if case .array(let allowed) = schema["enum"], !allowed.contains(.string(text)) {
            fail(path, "\"\(text)\" is not one of \(allowed)")
        }
        if let pattern = schema["pattern"]?.stringValue {
            let regex = try? NSRegularExpression(pattern: pattern)
            let range = NSRange(text.startIndex..., in: text)
            if regex?.firstMatch(in: text, range: range) == nil {
                fail(path, "\"\(text)\" does not match \(pattern)")
            }
        }
        if schema["format"]?.stringValue == "date-time", RFC3339.parse(text) == nil {
            fail(path, "\"\(text)\" is not an RFC 3339 date-time")
        }
        if let minLength = number(schema["minLength"]), Double(text.count) < minLength {
            fail(path, "shorter than \(minLength)")
        }
        if let maxLength = number(schema["maxLength"]), Double(text.count) > maxLength {
            fail(path, "longer than \(maxLength)")
        }
    }

    private func number(_ value: JSONValue?) -> Double? {
        if case .number(let number) = value { return number }
        return nil
    }

    /// Every property path a schema declares (`.spec.permissions[].verbs`), leaving out the
    /// root metadata (its schema declares none).
    static func propertyPaths(of schema: JSONValue, path: String = "") -> Set<String> {
        var paths: Set<String> = []
        if case .object(let properties) = schema["properties"] {
            for (key, property) in properties {
                paths.insert("\(path).\(key)")
                paths.formUnion(propertyPaths(of: property, path: "\(path).\(key)"))
            }
        }
        if let items = schema["items"] { paths.formUnion(propertyPaths(of: items, path: path + "[]")) }
        return paths
    }

    /// Every member path a value has, in the notation of ``propertyPaths(of:path:)``.
    static func memberPaths(of value: JSONValue, path: String = "") -> Set<String> {
        var paths: Set<String> = []
        switch value {
        case .object(let members):
            for (key, member) in members {
                paths.insert("\(path).\(key)")
                paths.formUnion(memberPaths(of: member, path: "\(path).\(key)"))
            }
        case .array(let items):
            for item in items { paths.formUnion(memberPaths(of: item, path: path + "[]")) }
        default:
            break
        }
        return paths
    }

    /// Every schema node, with its path.
    static func nodes(of schema: JSONValue, path: String = "") -> [(path: String, schema: JSONValue)] {
        var out = [(path, schema)]
        if case .object(let properties) = schema["properties"] {
            for (key, property) in properties.sorted(by: { $0.key < $1.key }) {
                out += nodes(of: property, path: "\(path).\(key)")
            }
        }
        if let items = schema["items"] { out += nodes(of: items, path: path + "[]") }
        if let additional = schema["additionalProperties"] { out += nodes(of: additional, path: path + "{}") }
        return out
    }
}
