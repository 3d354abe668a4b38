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

    private static let units: [(String, Double)] = [
        ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
    ]

    private static func parse(_ text: String) throws -> Int64 {
        var rest = Substring(text)
        guard !rest.isEmpty else { throw DurationError(input: text, problem: "is empty") }
        var sign = 1.0
        if rest.first == "-" || rest.first == "+" {
            sign = rest.first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else {
                throw DurationError(input: text, problem: "expected a number at '\(rest)'")
            }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = units.first(where: { $0.0 == unitText }) else {
                let shown = unitText.isEmpty ? "nothing" : "'\(unitText)'"
                throw DurationError(input: text, problem: "unknown unit \(shown) (use h, m, s, ms, us, ns)")
            }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
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
