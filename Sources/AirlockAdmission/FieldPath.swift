import Foundation
import KubeCore

/// Field paths as Kubernetes writes them in messages (`spec.permissions[0].verbs`), and
/// readable messages for objects that do not decode.
enum FieldPath {
    /// `spec.permissions[0].verbs` from a decoder's coding path.
    static func string(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    /// One sentence naming the field a decoding error is about.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(string(context.codingPath + [key])) is required"
        case .valueNotFound(_, let context):
            return "\(string(context.codingPath)) must not be null"
        case .typeMismatch(let type, let context):
            let field = string(context.codingPath)
            return "\(field.isEmpty ? "the body" : field) must be \(typeName(type))"
        case .dataCorrupted(let context):
            let field = string(context.codingPath)
            let detail = (context.underlyingError.map { "\($0)" } ?? context.debugDescription)
            return field.isEmpty ? "not JSON: \(detail)" : "\(field): \(detail)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is Double.Type: return "a number"
        case is [Any].Type: return "a list"
        case is [String: Any].Type: return "an object"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a \(name)"
        }
    }
}

extension JSONValue {
    /// The value at a path of object members, or nil.
    subscript(path path: [String]) -> JSONValue? {
        var value: JSONValue? = self
        for key in path { value = value?[key] }
        return value
    }

    /// Decodes a typed value from this JSON.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try KubeJSON.decode(type, from: try KubeJSON.encode(self))
    }

    /// The JSON of an encodable value.
    static func of(_ value: some Encodable) throws -> JSONValue {
        try KubeJSON.decode(JSONValue.self, from: try KubeJSON.encode(value))
    }
}
