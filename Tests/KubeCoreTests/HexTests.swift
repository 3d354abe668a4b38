import Foundation
import KubeCore
import Testing

@Suite struct HexTests {
    @Test func encodesTwoLowercaseDigitsPerByte() {
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    }

    /// Names and keys made before must come out the same: what `String(format: "%02x")` gave.
    @Test func matchesPrintfForEveryByte() {
        let bytes = (0...255).map(UInt8.init)
        #expect(Hex.encode(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
    }

    @Test func takesAnySequenceOfBytes() {
        #expect(Hex.encode([0xde, 0xad, 0xbe, 0xef].prefix(2)) == "dead")
        #expect(Hex.encode(Data([0xbe, 0xef])) == "beef")
    }
}
