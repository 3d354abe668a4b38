import Foundation
import KubeCore
import Yams

/// YAML as kubectl reads and writes it: manifests in, `-o yaml` out.
public enum KubeYAML {
    /// Decodes one YAML document into `type`.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try YAMLDecoder().decode(T.self, from: text)
    }

    /// Decodes every document of a multi-document file (`---` separated) into JSON values.
    public static func documents(_ text: String) throws -> [JSONValue] {
        try Yams.load_all(yaml: text).compactMap { document in
            guard !(document is NSNull) else { return nil }
            return try KubeJSON.decode(JSONValue.self, from: JSONSerialization.data(withJSONObject: document))
        }
    }

    /// Encodes a value as YAML (through its JSON form, so dates and keys match `-o json`).
    public static func encode(_ value: some Encodable) throws -> String {
        let json = try KubeJSON.decode(JSONValue.self, from: KubeJSON.encode(value))
        return try Yams.dump(object: json.foundationObject, sortKeys: true)
    }
}

extension JSONValue {
    /// The value as Foundation objects (`[String: Any]`, `[Any]`, `String`, `NSNumber`, `NSNull`).
    var foundationObject: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let value): return value
        case .number(let value): return value == value.rounded() && abs(value) < 1e15 ? Int(value) as Any : value
        case .string(let value): return value
        case .array(let values): return values.map(\.foundationObject)
        case .object(let members): return members.mapValues(\.foundationObject)
        }
    }
}
