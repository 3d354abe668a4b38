/// A duration in Go's `time.ParseDuration` syntax (`15m`, `1h30m`, `90s`, `1.5h`, `250ms`),
/// as used by `metav1.Duration` and Airlock's `spec.duration`.
public struct KubeDuration: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Whole seconds, rounded down from the parsed value (sub-second precision is not needed
    /// for grants, and whole seconds keep comparisons exact).
    public var seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }

    /// Parses Go duration syntax; throws `DurationError` naming what is wrong.
    public init(parsing text: String) throws {
        self.seconds = try Self.parse(text)
    }

    public var duration: Duration { .seconds(seconds) }

    /// The shortest Go-style spelling: `1h30m`, `15m`, `45s`, `0s`.
    public var description: String {
        guard seconds != 0 else { return "0s" }
        var rest = abs(seconds)
        var out = seconds < 0 ? "-" : ""
        let hours = rest / 3600
        rest %= 3600
        let minutes = rest / 60
        let secs = rest % 60
        if hours > 0 { out += "\(hours)h" }
        if minutes > 0 { out += "\(minutes)m" }
        if secs > 0 { out += "\(secs)s" }
        return out
    }

    public static func < (lhs: KubeDuration, rhs: KubeDuration) -> Bool { lhs.seconds < rhs.seconds }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self.seconds = try Self.parse(text)
        } catch let error as DurationError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static let units: [(unit: [UInt8], seconds: Double)] = [
        ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
    ].map { (Array($0.utf8), $1) }

    /// Reads the UTF-8 bytes: every delimiter is ASCII, so each slice is whole characters.
    static func parse(_ text: String) throws -> Int64 {
        var bytes = Array(text.utf8)[...]
        func rest() -> String { String(decoding: bytes, as: UTF8.self) }
        guard !bytes.isEmpty else { throw DurationError(input: text, problem: "is empty") }
        var sign = 1.0
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") {
            sign = bytes.first == UInt8(ascii: "-") ? -1 : 1
            bytes = bytes.dropFirst()
        }
        if bytes.elementsEqual([UInt8(ascii: "0")]) { return 0 }
        func isNumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
        }
        var total = 0.0
        while !bytes.isEmpty {
            let number = bytes.prefix(while: isNumeric)
            guard !number.isEmpty, let value = Double(String(decoding: number, as: UTF8.self)) else {
                throw DurationError(input: text, problem: "expected a number at '\(rest())'")
            }
            bytes = bytes.dropFirst(number.count)
            let unitBytes = bytes.prefix { !isNumeric($0) }
            guard let unit = units.first(where: { $0.unit.elementsEqual(unitBytes) }) else {
                let shown = unitBytes.isEmpty ? "nothing" : "'\(String(decoding: unitBytes, as: UTF8.self))'"
                throw DurationError(input: text, problem: "unknown unit \(shown) (use h, m, s, ms, us, ns)")
            }
            bytes = bytes.dropFirst(unitBytes.count)
            total += value * unit.seconds
        }
        guard total * sign < 9.2e18 else { throw DurationError(input: text, problem: "is too large") }
        return Int64((total * sign).rounded(.towardZero))
    }
}

/// A duration string that does not parse.
public struct DurationError: Error, Sendable, CustomStringConvertible, Equatable {
    public var input: String
    public var problem: String

    public init(input: String, problem: String) {
        self.input = input
        self.problem = problem
    }

    public var description: String { "invalid duration \"\(input)\": \(problem)" }
}
