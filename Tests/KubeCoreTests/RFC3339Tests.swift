import Foundation
import KubeCore
import Testing

@Suite struct RFC3339Tests {
    @Test func formatsUTCWithMicroseconds() {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_700_000_000.25)) == "2023-11-14T22:13:20.250000Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 951_782_400), fractional: false) == "2000-02-29T00:00:00Z")
    }

    @Test(arguments: [
        ("2023-11-14T22:13:20Z", 1_700_000_000.0), ("2023-11-14T22:13:20.5Z", 1_700_000_000.5),
        ("2023-11-14T23:13:20+01:00", 1_700_000_000.0), ("2023-11-14T21:13:20-01:00", 1_700_000_000.0),
        ("1969-12-31T23:59:59Z", -1.0),
    ])
    func parses(text: String, epoch: Double) throws {
        let date = try #require(RFC3339.parse(text))
        #expect(abs(date.timeIntervalSince1970 - epoch) < 1e-6)
    }

    @Test(arguments: [
        "", "2023-11-14", "2023-11-14T22:13:20", "2023-13-14T22:13:20Z", "2023-11-14T22:13:20.Z",
        "2023-11-14T22:13:20Zjunk", "2023-11-14 22:13:20Z",
    ])
    func rejects(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func roundTrips() throws {
        for epoch in stride(from: -1e9, through: 4e9, by: 123_456_789.123) {
            let date = Date(timeIntervalSince1970: epoch)
            let parsed = try #require(RFC3339.parse(RFC3339.format(date)))
            #expect(abs(parsed.timeIntervalSince1970 - epoch) < 1e-5)
        }
    }
}
