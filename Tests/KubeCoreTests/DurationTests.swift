import Foundation
import KubeCore
import Testing

@Suite struct DurationTests {
    @Test(arguments: [
        ("15m", 900), ("1h30m", 5400), ("90s", 90), ("1.5h", 5400), ("2h0m5s", 7205), ("0", 0), ("0s", 0),
        ("250ms", 0), ("1500ms", 1), ("-5m", -300), ("+1m", 60), ("100000h", 360_000_000),
        ("1500000µs", 1), ("2000000us", 2), ("3000000000ns", 3),
    ])
    func parses(text: String, seconds: Int64) throws {
        #expect(try KubeDuration(parsing: text).seconds == seconds)
    }

    @Test(arguments: [
        ("", "is empty"), ("15", "unknown unit nothing (use h, m, s, ms, us, ns)"), ("m", "expected a number at 'm'"),
        ("5 m", "unknown unit ' m' (use h, m, s, ms, us, ns)"), ("1d", "unknown unit 'd' (use h, m, s, ms, us, ns)"),
        ("1h-5m", "unknown unit 'h-' (use h, m, s, ms, us, ns)"),
        ("abc", "expected a number at 'abc'"), ("1..5s", "expected a number at '1..5s'"),
        ("5μs", "unknown unit 'μs' (use h, m, s, ms, us, ns)"), ("1hé", "unknown unit 'hé' (use h, m, s, ms, us, ns)"),
    ])
    func rejectsWithMessage(text: String, problem: String) {
        #expect(throws: DurationError(input: text, problem: problem)) { try KubeDuration(parsing: text) }
    }

    @Test func printsShortestForm() {
        #expect(KubeDuration(seconds: 5400).description == "1h30m")
        #expect(KubeDuration(seconds: 900).description == "15m")
        #expect(KubeDuration(seconds: 3601).description == "1h1s")
        #expect(KubeDuration(seconds: 0).description == "0s")
    }

    @Test func codableAsString() throws {
        let data = try KubeJSON.encode(["d": KubeDuration(seconds: 900)])
        #expect(String(decoding: data, as: UTF8.self) == #"{"d":"15m"}"#)
        let decoded = try KubeJSON.decode([String: KubeDuration].self, from: Data(#"{"d":"1h"}"#.utf8))
        #expect(decoded["d"] == KubeDuration(seconds: 3600))
        #expect(throws: DecodingError.self) {
            try KubeJSON.decode([String: KubeDuration].self, from: Data(#"{"d":"soon"}"#.utf8))
        }
    }
}
