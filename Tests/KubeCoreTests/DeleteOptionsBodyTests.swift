import Foundation
import Testing

@testable import KubeCore

/// A delete's body is written by hand; it must be the bytes the generic encoder writes.
struct DeleteOptionsBodyTests {
    @Test(arguments: [
        DeleteOptions(),
        DeleteOptions(propagationPolicy: .background),
        DeleteOptions(uid: "0a27ff75-8498-4b34-a8d1-0d43af703583"),
        DeleteOptions(resourceVersion: "1248"),
        DeleteOptions(propagationPolicy: .foreground, uid: "u", resourceVersion: "7", gracePeriodSeconds: 0),
        DeleteOptions(uid: "quote \" backslash \\ slash / tab \t newline \n bell \u{7} é 🔒", gracePeriodSeconds: -1),
    ])
    func theBodyIsWhatTheEncoderWrites(options: DeleteOptions) throws {
        let expected = try KubeJSON.encode(options)
        #expect(
            String(decoding: options.jsonBody, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    }

    @Test func everyControlCharacterIsEscaped() throws {
        let controls = String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init)))
        let quoted = JSONText.quoted(controls)
        #expect(!quoted.unicodeScalars.contains { $0.value < 0x20 })
        #expect(try JSONDecoder().decode(String.self, from: Data(quoted.utf8)) == controls)
        #expect(quoted == String(decoding: try KubeJSON.encode(controls), as: UTF8.self))
    }
}
