import Foundation

/// The JSON encoder and decoder set up for Kubernetes: RFC 3339 dates, base64 `Data`,
/// omitted nils, sorted keys (so output is stable for golden files and signatures).
public enum KubeJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        encoder.dataEncodingStrategy = .base64
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "not an RFC 3339 timestamp: \(text)")
            }
            return date
        }
        decoder.dataDecodingStrategy = .base64
        return decoder
    }

    /// Encodes a value to JSON bytes (written by hand when the type is ``JSONWritable``).
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        if let writable = value as? any JSONWritable { return Data(writable.jsonBytes) }
        return try encoder().encode(value)
    }

    /// Decodes JSON bytes to a value: read by hand when the type is ``JSONReadable`` and the
    /// reader takes the bytes, decoded by `Codable` otherwise (which also explains errors).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if let readable = type as? any JSONReadable.Type, let value = read(readable, from: data) as? T { return value }
        return try decoder().decode(type, from: data)
    }

    private static func read<R: JSONReadable>(_ type: R.Type, from data: Data) -> R? {
        do {
            return try JSONReader.read(type, from: data)
        } catch {
            return nil
        }
    }

    /// What a cheap scan of JSON bytes tells without decoding them.
    public struct Shape: Sendable, Equatable {
        /// The deepest nesting of arrays and objects (0 for a scalar).
        public var depth: Int
        /// A byte below 0x20 inside a string: not JSON (RFC 8259), though a decoder that
        /// skips the string (an unknown key) may never notice.
        public var rawControlCharacter: Bool
    }

    /// Scans `data` once: nesting depth (brackets inside strings do not count) and raw control
    /// characters in strings. Malformed JSON gets an answer too (its decoding fails later).
    ///
    /// Decoding ``JSONValue`` costs more than linear time in the nesting depth (each level
    /// tries the scalar types first, and every failed try builds its coding path): 500 levels,
    /// the decoder's own limit, took 2.5 s in a debug build. Check untrusted input first.
    public static func shape(of data: some Collection<UInt8>) -> Shape {
        var shape = Shape(depth: 0, rawControlCharacter: false)
        var depth = 0
        var inString = false
        var escaped = false
        for byte in data {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                } else if byte < 0x20 {
                    shape.rawControlCharacter = true
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                shape.depth = max(shape.depth, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return shape
    }

    /// The deepest nesting of arrays and objects in `data` (see ``shape(of:)``).
    public static func nestingDepth(of data: some Collection<UInt8>) -> Int {
        shape(of: data).depth
    }
}
