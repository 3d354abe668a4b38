import Foundation

/// A value a ``JSONReader`` can read directly, without `Codable`: the hand-written decoding of
/// a hot type (a watch frame's object, an admission review's object), which must decode exactly
/// what its `Decodable` conformance decodes or throw ``JSONReader/Unexpected``.
public protocol JSONReadable {
    init(json reader: inout JSONReader) throws(JSONReader.Unexpected)
}

/// An object's key as its bytes, matched in a `switch` against string literals. A key with an
/// escape matches none (``JSONReader/skip(_:)`` then refuses it).
public struct JSONKey {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline let escaped: Bool

    @usableFromInline
    init(bytes: UnsafeRawBufferPointer, escaped: Bool) {
        self.bytes = bytes
        self.escaped = escaped
    }

    /// The key as a string, escapes decoded; it must be valid UTF-8.
    public func string() throws(JSONReader.Unexpected) -> String {
        let string =
            escaped
            ? String(validating: try JSONReader.unescape(bytes), as: UTF8.self)
            : String(validating: bytes, as: UTF8.self)
        guard let string else { throw JSONReader.Unexpected() }
        return string
    }

    public static func ~= (pattern: StaticString, key: JSONKey) -> Bool {
        guard !key.escaped, pattern.utf8CodeUnitCount == key.bytes.count else { return false }
        return key.bytes.isEmpty || memcmp(pattern.utf8Start, key.bytes.baseAddress!, key.bytes.count) == 0
    }
}

extension Optional {
    /// Sets a member's value the first time its key is met; a key twice is unexpected (which
    /// one `Codable` keeps is its business).
    @inlinable
    public mutating func once(_ value: Wrapped) throws(JSONReader.Unexpected) {
        guard case .none = self else { throw JSONReader.Unexpected() }
        self = value
    }
}

extension String: JSONReadable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) { self = try reader.string() }
}

extension Int: JSONReadable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) { self = try reader.int() }
}

extension Int64: JSONReadable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) { self = try reader.int64() }
}

extension Bool: JSONReadable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) { self = try reader.bool() }
}

extension Date: JSONReadable {
    /// An RFC 3339 timestamp, as ``KubeJSON`` decodes `Date`.
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        guard let date = RFC3339.parse(try reader.string()) else { throw JSONReader.Unexpected() }
        self = date
    }
}

extension Array: JSONReadable where Element: JSONReadable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        self = try reader.array { reader throws(JSONReader.Unexpected) in try Element(json: &reader) }
    }
}

extension Dictionary: JSONReadable where Key == String, Value: JSONReadable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var map: [String: Value] = [:]
        try reader.members { reader, key throws(JSONReader.Unexpected) in
            let name = try key.string()
            guard map.updateValue(try Value(json: &reader), forKey: name) == nil else { throw JSONReader.Unexpected() }
        }
        self = map
    }
}

extension JSONReadable where Self: RawRepresentable, RawValue == String {
    /// A string that is one of the raw values.
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        guard let value = Self(rawValue: try reader.string()) else { throw JSONReader.Unexpected() }
        self = value
    }
}
