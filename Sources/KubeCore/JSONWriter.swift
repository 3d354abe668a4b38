import Foundation

/// A value a ``JSONWriter`` can write directly, without `Codable`: the hand-written encoding of
/// a hot type, which must write the very bytes ``KubeJSON/encode(_:)`` writes through its
/// `Encodable` conformance (sorted keys, nils omitted).
public protocol JSONWritable {
    func write(json writer: inout JSONWriter)
}

extension JSONWritable {
    /// The JSON bytes of the value.
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter()
        write(json: &writer)
        return writer.bytes
    }
}

/// Writes JSON as ``KubeJSON``'s encoder does: no whitespace, keys in the order the caller
/// gives (which must be sorted), slashes unescaped, dates in RFC 3339 with microseconds.
public struct JSONWriter {
    /// What is written so far.
    public var bytes: [UInt8] { storage }
    @usableFromInline var storage: [UInt8] = []
    /// Whether the next member or element is the first of its object or array.
    @usableFromInline var first = true

    public init() {
        storage.reserveCapacity(1024)
    }

    /// An object whose members `body` writes (in sorted order).
    @inlinable
    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        storage.append(UInt8(ascii: "{"))
        first = true
        body(&self)
        storage.append(UInt8(ascii: "}"))
        first = false
    }

    /// A member, omitted when `value` is nil.
    @inlinable
    public mutating func member<T: JSONWritable>(_ key: StaticString, _ value: T?) {
        guard let value else { return }
        separate()
        storage.append(UInt8(ascii: "\""))
        storage.append(contentsOf: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        storage.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        first = true
        value.write(json: &self)
        first = false
    }

    /// An array of `elements`.
    @inlinable
    public mutating func array<T: JSONWritable>(_ elements: [T]) {
        separate()
        storage.append(UInt8(ascii: "["))
        first = true
        for element in elements { element.write(json: &self) }
        storage.append(UInt8(ascii: "]"))
        first = false
    }

    /// A string, escaped as `JSONEncoder` escapes it.
    public mutating func string(_ string: String) {
        separate()
        JSONText.appendQuoted(string, to: &storage)
        first = false
    }

    /// A value written as it is (a number or a literal).
    public mutating func raw(_ text: String) {
        separate()
        storage.append(contentsOf: text.utf8)
        first = false
    }

    /// A comma unless this is the first value of its object or array.
    @usableFromInline
    mutating func separate() {
        if !first { storage.append(UInt8(ascii: ",")) }
        first = false
    }
}

extension String: JSONWritable {
    public func write(json writer: inout JSONWriter) { writer.string(self) }
}

extension Int: JSONWritable {
    public func write(json writer: inout JSONWriter) { writer.raw(String(self)) }
}

extension Int64: JSONWritable {
    public func write(json writer: inout JSONWriter) { writer.raw(String(self)) }
}

extension Bool: JSONWritable {
    public func write(json writer: inout JSONWriter) { writer.raw(self ? "true" : "false") }
}

extension Date: JSONWritable {
    public func write(json writer: inout JSONWriter) { writer.string(RFC3339.format(self)) }
}

extension Array: JSONWritable where Element: JSONWritable {
    public func write(json writer: inout JSONWriter) { writer.array(self) }
}

extension Dictionary: JSONWritable where Key == String, Value: JSONWritable {
    /// Keys sorted as `JSONEncoder` sorts them: by their UTF-8 bytes, not normalized (so
    /// `e\u{301}` sorts before `f`, though `String` would compare it as `é`).
    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            for key in keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                writer.dynamicMember(key, self[key]!)
            }
        }
    }
}

extension JSONWriter {
    /// A member whose key is not known in advance.
    mutating func dynamicMember(_ key: String, _ value: some JSONWritable) {
        string(key)
        storage.append(UInt8(ascii: ":"))
        first = true
        value.write(json: &self)
        first = false
    }
}

extension JSONWritable where Self: RawRepresentable, RawValue == String {
    public func write(json writer: inout JSONWriter) { writer.string(rawValue) }
}
