import Foundation

/// A forward-only reader over JSON bytes for hand-written decoders.
///
/// It reads strictly (RFC 8259: no fractions where integers are wanted, no raw control
/// characters, valid UTF-8) and throws ``Unexpected`` at anything it does not expect: a
/// member twice, a member's name spelled with an escape, a number that is not a plain integer. Its callers then
/// decode the same bytes with `Codable`, which either agrees or explains what is wrong; so a
/// reader that is too strict costs time, never correctness. Skipped values are checked for
/// their grammar too (escapes, UTF-8 where not ASCII, numbers, literals, nesting up to
/// ``maximumSkippedDepth``), so what the reader takes is JSON.
public struct JSONReader {
    /// The reader met something it does not read; decode with `Codable` instead.
    public struct Unexpected: Error, Equatable {
        public init() {}
    }

    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var index = 0

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Reads one `T` that must fill `data` (whitespace aside).
    public static func read<T: JSONReadable>(_ type: T.Type, from data: some ContiguousBytes) throws(Unexpected) -> T {
        let result: Result<T, Unexpected> = data.withUnsafeBytes { bytes in
            var reader = JSONReader(bytes)
            do throws(Unexpected) {
                let value = try T(json: &reader)
                try reader.end()
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Throws unless only whitespace is left.
    public mutating func end() throws(Unexpected) {
        skipSpace()
        guard index == bytes.count else { throw Unexpected() }
    }

    // MARK: Structure

    /// Calls `member` with each key of the object at the reader; `member` must read or skip
    /// the value.
    @inlinable
    public mutating func members(_ member: (inout JSONReader, JSONKey) throws(Unexpected) -> Void) throws(Unexpected) {
        try expect(UInt8(ascii: "{"))
        if consume(UInt8(ascii: "}")) { return }
        repeat {
            let key = try key()
            try expect(UInt8(ascii: ":"))
            try member(&self, key)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// The elements of the array at the reader, each read by `element`.
    @inlinable
    public mutating func array<T>(_ element: (inout JSONReader) throws(Unexpected) -> T) throws(Unexpected) -> [T] {
        try expect(UInt8(ascii: "["))
        var elements: [T] = []
        if consume(UInt8(ascii: "]")) { return elements }
        repeat {
            elements.append(try element(&self))
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
        return elements
    }

    /// A `T`.
    @inlinable
    public mutating func read<T: JSONReadable>(_ type: T.Type = T.self) throws(Unexpected) -> T {
        try T(json: &self)
    }

    /// `null` (consumed) or a `T`.
    @inlinable
    public mutating func readIfPresent<T: JSONReadable>(_ type: T.Type = T.self) throws(Unexpected) -> T? {
        if null() { return nil }
        return try T(json: &self)
    }

    /// Consumes `null` if it is next.
    public mutating func null() -> Bool {
        skipSpace()
        guard bytes.count - index >= 4, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
            bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l"), endsLiteral(at: index + 4)
        else { return false }
        index += 4
        return true
    }

    /// Skips one value of any kind, checking its grammar (RFC 8259) but building nothing.
    public mutating func skipValue() throws(Unexpected) {
        try skipValue(depth: 0)
    }

    /// At most this deep a skipped value may nest (deeper ones are left to `Codable`).
    static let maximumSkippedDepth = 128

    private mutating func skipValue(depth: Int) throws(Unexpected) {
        guard depth < Self.maximumSkippedDepth else { throw Unexpected() }
        skipSpace()
        guard index < bytes.count else { throw Unexpected() }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "{"):
            index += 1
            if consume(UInt8(ascii: "}")) { return }
            repeat {
                skipSpace()
                try skipString()
                try expect(UInt8(ascii: ":"))
                try skipValue(depth: depth + 1)
            } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            index += 1
            if consume(UInt8(ascii: "]")) { return }
            repeat {
                try skipValue(depth: depth + 1)
            } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"))
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            _ = try bool()
        case UInt8(ascii: "n"):
            guard null() else { throw Unexpected() }
        default:
            try skipNumber()
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private mutating func skipNumber() throws(Unexpected) {
        func digits() throws(Unexpected) -> Int {
            let start = index
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            guard index > start else { throw Unexpected() }
            return index - start
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let start = index
        guard try digits() == 1 || bytes[start] != UInt8(ascii: "0") else { throw Unexpected() }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            _ = try digits()
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            _ = try digits()
        }
        guard endsLiteral(at: index) else { throw Unexpected() }
    }

    // MARK: Scalars

    /// A string, escapes decoded; its bytes must be valid UTF-8.
    public mutating func string() throws(Unexpected) -> String {
        let (start, end, escaped) = try stringBounds()
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        guard escaped else {
            guard let string = String(validating: raw, as: UTF8.self) else { throw Unexpected() }
            return string
        }
        guard let string = String(validating: try Self.unescape(raw), as: UTF8.self) else { throw Unexpected() }
        return string
    }

    /// An integer written as one (`-?(0|[1-9][0-9]*)`, no fraction or exponent) that fits.
    public mutating func int64() throws(Unexpected) -> Int64 {
        skipSpace()
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let start = index
        var magnitude: UInt64 = 0
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
            let (times, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflowToo) = times.addingReportingOverflow(UInt64(bytes[index] &- UInt8(ascii: "0")))
            guard !overflow, !overflowToo else { throw Unexpected() }
            magnitude = sum
            index += 1
        }
        let digits = index - start
        guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0"), endsLiteral(at: index) else {
            throw Unexpected()
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw Unexpected() }
            return Int64(truncatingIfNeeded: 0 &- magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw Unexpected() }
        return Int64(magnitude)
    }

    /// An integer that fits `Int`.
    public mutating func int() throws(Unexpected) -> Int {
        guard let value = Int(exactly: try int64()) else { throw Unexpected() }
        return value
    }

    /// `true` or `false`.
    public mutating func bool() throws(Unexpected) -> Bool {
        skipSpace()
        if matches("true") {
            index += 4
            return true
        }
        if matches("false") {
            index += 5
            return false
        }
        throw Unexpected()
    }

    // MARK: Bytes

    @usableFromInline
    mutating func key() throws(Unexpected) -> JSONKey {
        let (start, end, escaped) = try stringBounds()
        return JSONKey(bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), escaped: escaped)
    }

    /// Skips the value of a member no case matched; a key with an escape may spell a known
    /// one, so it is unexpected.
    public mutating func skip(_ key: JSONKey) throws(Unexpected) {
        guard !key.escaped else { throw Unexpected() }
        try skipValue()
    }

    /// The bytes between the quotes of the string at the reader, and whether it has escapes.
    private mutating func stringBounds() throws(Unexpected) -> (start: Int, end: Int, escaped: Bool) {
        try expect(UInt8(ascii: "\""))
        let start = index
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return (start, index - 1, escaped)
            }
            guard byte >= 0x20 else { throw Unexpected() }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 1
            }
            index += 1
        }
        throw Unexpected()
    }

    static func unescape(_ raw: UnsafeRawBufferPointer) throws(Unexpected) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        func hex4() throws(Unexpected) -> UInt32 {
            guard index + 4 < raw.count else { throw Unexpected() }
            var value: UInt32 = 0
            for byte in raw[(index + 1)...(index + 4)] {
                guard let digit = Self.hexDigit(byte) else { throw Unexpected() }
                value = value << 4 | UInt32(digit)
            }
            index += 4
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < raw.count else { throw Unexpected() }
            switch raw[index] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(raw[index])
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by `\u` and a low one.
                    guard index + 2 < raw.count, raw[index + 1] == UInt8(ascii: "\\"),
                        raw[index + 2] == UInt8(ascii: "u")
                    else { throw Unexpected() }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw Unexpected() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw Unexpected() }
                out.append(contentsOf: String(Character(unicode)).utf8)
            default: throw Unexpected()
            }
            index += 1
        }
        return out
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Skips a string, checking its escapes and, when it has non-ASCII bytes, its UTF-8.
    private mutating func skipString() throws(Unexpected) {
        let (start, end, escaped) = try stringBounds()
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        if escaped {
            var position = 0
            while let backslash = raw[position...].firstIndex(of: UInt8(ascii: "\\")) {
                switch raw[backslash + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position = backslash + 2
                case UInt8(ascii: "u"):
                    guard backslash + 6 <= raw.count,
                        raw[(backslash + 2)..<(backslash + 6)].allSatisfy({ Self.hexDigit($0) != nil })
                    else { throw Unexpected() }
                    position = backslash + 6
                default: throw Unexpected()
                }
            }
        }
        guard !raw.contains(where: { $0 >= 0x80 }) || String(validating: raw, as: UTF8.self) != nil else {
            throw Unexpected()
        }
    }

    @usableFromInline
    mutating func expect(_ byte: UInt8) throws(Unexpected) {
        guard consume(byte) else { throw Unexpected() }
    }

    @usableFromInline
    mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count,
            UnsafeRawBufferPointer(start: literal.utf8Start, count: count).elementsEqual(bytes[index..<(index + count)])
        else { return false }
        return endsLiteral(at: index + count)
    }

    private func endsLiteral(at position: Int) -> Bool {
        position == bytes.count || Self.endsScalar(bytes[position])
    }

    @usableFromInline
    mutating func skipSpace() {
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
    }

    @usableFromInline
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func endsScalar(_ byte: UInt8) -> Bool {
        isSpace(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
    }
}
