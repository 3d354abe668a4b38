import Foundation
import KubeCore
import Testing

/// The scalars of ``JSONReader`` against `JSONDecoder`: what the reader takes, the decoder
/// takes with the same value; what it refuses, `Codable` decides.
@Suite struct JSONReaderTests {
    private struct Box<T: Decodable & JSONReadable & Equatable>: Decodable, JSONReadable, Equatable {
        var value: T

        init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
            var value: T?
            try reader.members { reader, field throws(JSONReader.Unexpected) in
                switch field {
                case "value": try value.once(reader.read())
                default: try reader.skip(field)
                }
            }
            guard let value else { throw JSONReader.Unexpected() }
            self.value = value
        }
    }

    private func agrees<T: Decodable & JSONReadable & Equatable>(_ type: T.Type, _ json: String) throws -> T {
        let data = Data(#"{"value":\#(json)}"#.utf8)
        let read = try JSONReader.read(Box<T>.self, from: data)
        #expect(read == (try KubeJSON.decoder().decode(Box<T>.self, from: data)))
        return read.value
    }

    private func refuses<T: Decodable & JSONReadable & Equatable>(_ type: T.Type, _ json: String) {
        #expect(throws: JSONReader.Unexpected.self, "\(json)") {
            try JSONReader.read(Box<T>.self, from: Data(#"{"value":\#(json)}"#.utf8))
        }
    }

    @Test func integers() throws {
        #expect(try agrees(Int64.self, "0") == 0)
        #expect(try agrees(Int64.self, "-0") == 0)
        #expect(try agrees(Int64.self, " 42 ") == 42)
        #expect(try agrees(Int64.self, "9223372036854775807") == .max)
        #expect(try agrees(Int64.self, "-9223372036854775808") == .min)
        #expect(try agrees(Int.self, "-17") == -17)
        for json in [
            "9223372036854775808", "-9223372036854775809", "01", "-", "1.0", "1e2", "1E2", "+1", "\"1\"", "1x",
        ] {
            refuses(Int64.self, json)
        }
    }

    @Test func strings() throws {
        #expect(try agrees(String.self, #""plain""#) == "plain")
        #expect(try agrees(String.self, #""""#) == "")
        #expect(try agrees(String.self, #""q\"b\\s\/n\nr\rt\tb\bf\f""#) == "q\"b\\s/n\nr\rt\tb\u{08}f\u{0C}")
        #expect(try agrees(String.self, #""\u003c\u00e9\u00E9\u65e5""#) == "<éé日")
        #expect(try agrees(String.self, #""\ud83d\udd10 key""#) == "🔐 key")
        #expect(try agrees(String.self, "\"ünï 日本\"") == "ünï 日本")
        for json in [
            #""\ud800""#, #""\udc00""#, #""\ud83d\u0041""#, #""\x""#, #""\u12""#, "\"a\u{01}b\"", #""open"#, "null",
        ] {
            refuses(String.self, json)
        }
        #expect(throws: JSONReader.Unexpected.self) {
            try JSONReader.read(
                Box<String>.self,
                from: Data([0x7B, 0x22, 0x76, 0x61, 0x6C, 0x75, 0x65, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]))
        }
    }

    @Test func literalsListsAndMaps() throws {
        #expect(try agrees(Bool.self, "true") == true)
        #expect(try agrees(Bool.self, "false") == false)
        #expect(try agrees([String].self, #"[ "a" , "b" ]"#) == ["a", "b"])
        #expect(try agrees([String].self, "[]") == [])
        #expect(try agrees([String: [String]].self, #"{"k":["v"],"l":[]}"#) == ["k": ["v"], "l": []])
        #expect(try agrees([String: String].self, #"{"\u00e9\n":"v"}"#) == ["é\n": "v"])
        #expect(try agrees(Date.self, #""2026-12-03T18:00:00.5Z""#) == Date(timeIntervalSince1970: 1_796_320_800.5))
        for json in ["tru", "truex", "True", "1"] { refuses(Bool.self, json) }
        refuses([String].self, #"["a",]"#)
        refuses([String].self, #"["a" "b"]"#)
        refuses([String: String].self, #"{"k":"v","k":"w"}"#)
        refuses(Date.self, #""yesterday""#)
    }

    @Test func membersAreReadOnceAndTheRestSkipped() throws {
        let data = Data(#"{"skip":{"a":[1,{"b":"}]\""}],"c":null},"value":"v","more":[true,-1.5e3]}"#.utf8)
        #expect(try JSONReader.read(Box<String>.self, from: data).value == "v")
        for json in [
            #"{"value":"v","value":"w"}"#, #"{"v\u0061lue":"v"}"#, #"{"value":"v","v\u0061lue":"w"}"#,
            #"{"value":"v"} x"#, #"{"value":"v""#, #"{"value":"v",}"#,
        ] {
            #expect(throws: JSONReader.Unexpected.self, "\(json)") {
                try JSONReader.read(Box<String>.self, from: Data(json.utf8))
            }
        }
    }

    /// A skipped member must be JSON too: what the reader takes, `Codable` would take.
    @Test func skippedMembersAreCheckedForTheirGrammar() throws {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        for skipped in [
            "[1,,2]", "[1 2]", "tru", "nul", "01", "1.", "-", "1e", ".5", "+1", #""\x""#, #""\u12g4""#, #"{"a" 1}"#,
            #"{"a":1,}"#, "{1:2}", "[", "\"open", deep,
        ] {
            #expect(throws: JSONReader.Unexpected.self, "\(skipped)") {
                try JSONReader.read(Box<String>.self, from: Data(#"{"skip":\#(skipped),"value":"v"}"#.utf8))
            }
        }
        for skipped in ["[1,-2.5e+3,0.0,1E2]", #"{"a":{"b":[null,true,false,"\u00e9\n"]}}"#, "-0", #""é""#, "{}", "[]"]
        {
            #expect(
                try JSONReader.read(Box<String>.self, from: Data(#"{"skip":\#(skipped),"value":"v"}"#.utf8)).value
                    == "v")
        }
    }

    @Test func writerEscapesAsTheEncoderDoes() throws {
        let strings = [
            "plain", "q\"b\\s/", "\u{00}\u{01}\u{08}\u{09}\u{0A}\u{0C}\u{0D}\u{1F}\u{7F}", "é日🔐\u{2028}", "",
        ]
        for string in strings {
            #expect(string.jsonBytes == Array(try KubeJSON.encoder().encode(string)))
        }
        let map = [
            "b": "1", "a10": "2", "a9": "3", "B": "4", "é": "5", "_": "6", "e\u{301}x": "7", "🔐": "8", "\u{FF01}": "9",
        ]
        #expect(map.jsonBytes == Array(try KubeJSON.encoder().encode(map)))
        let date = Date(timeIntervalSince1970: 1_796_320_800.123456)
        #expect(date.jsonBytes == Array(try KubeJSON.encoder().encode(date)))
        #expect([Int64.min, 0, .max].jsonBytes == Array(try KubeJSON.encoder().encode([Int64.min, 0, .max])))
        #expect([true, false].jsonBytes == Array(try KubeJSON.encoder().encode([true, false])))
    }
}
