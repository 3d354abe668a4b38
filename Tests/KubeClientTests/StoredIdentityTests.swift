import Foundation
import KubeCore
import NIOCore
import Testing

@testable import KubeClient

/// A write's answer is scanned for the stored object's identity; anything the scan does not
/// expect is decoded in full, and the two agree.
struct StoredIdentityTests {
    /// An answer as the API server writes it (`PartialObjectMetadata`), managedFields and all.
    static let answer = #"""
        {"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"lc-0",
        "namespace":"lc-6l6mx9","uid":"0a27ff75-8498-4b34-a8d1-0d43af703583","resourceVersion":"1248",
        "generation":1,"creationTimestamp":"2026-12-03T16:10:36Z","labels":{"a":"b \"quoted\" }"},
        "annotations":{"x":"[{\\\"y\\\":1}]"},"finalizers":["airlock.dev/revoke-grants"],
        "managedFields":[{"manager":"airlock","operation":"Update","apiVersion":"airlock.dev/v1alpha1",
        "time":"2026-12-03T16:10:52Z","fieldsType":"FieldsV1","fieldsV1":{"f:status":{".":{},
        "k:{\"type\":\"Approved\"}":{".":{},"f:message":{}}}}}],"deletionGracePeriodSeconds":null}}
        """#

    static func scan(_ text: String) -> ObjectMeta? {
        Array(text.utf8).withUnsafeBytes { StoredIdentity.scan($0) }
    }

    static func read(_ text: String) throws -> ObjectMeta {
        try StoredIdentity.read(ByteBuffer(string: text))
    }

    @Test func theScanReadsTheIdentityAndNothingElse() throws {
        let scanned = try #require(Self.scan(Self.answer))
        #expect(scanned.name == "lc-0")
        #expect(scanned.namespace == "lc-6l6mx9")
        #expect(scanned.uid == "0a27ff75-8498-4b34-a8d1-0d43af703583")
        #expect(scanned.resourceVersion == "1248")
        #expect(scanned.generation == 1)
        #expect(scanned.labels == nil && scanned.finalizers == nil && scanned.creationTimestamp == nil)
        // The same as a full decode, cut down to the identity.
        let decoded = try KubeJSON.decode(MetadataOnly.self, from: Data(Self.answer.utf8)).metadata
        #expect(scanned == StoredIdentity.identity(of: decoded))
    }

    @Test func nullsAndWhitespaceAreRead() throws {
        let scanned = try #require(
            Self.scan(" {\n \"metadata\" : { \"name\" : null , \"uid\":\"u\", \"generation\" : null } } \n"))
        #expect(scanned.name == nil && scanned.uid == "u" && scanned.generation == nil)
        #expect(Self.scan(#"{"metadata":{}}"#) == ObjectMeta())
        #expect(Self.scan(#"{"metadata":{"name":"a\u0062"}}"#)?.name == "ab")
    }

    /// Each of these is left to the full decode: the scan answers nil.
    @Test(arguments: [
        #"{"metadata":{"n\u0061me":"a"}}"#,  // an escape in a key
        #"{"metadata":{"name":"a"},"metadata":{"name":"b"}}"#,  // metadata twice
        #"{"metadata":{"name":"a","name":"b"}}"#,  // a member twice
        #"{"metadata":{"generation":1.5}}"#,  // not an integer
        #"{"metadata":{"generation":99999999999999999999}}"#,  // too large
        #"{"metadata":{"uid":7}}"#,  // not a string
        #"{"kind":"Status"}"#,  // no metadata
        #"{"metadata":{"name":"a"}"#,  // cut short
        #"{"metadata":{"name":"a"}} x"#,  // trailing bytes
        #"[{"metadata":{}}]"#,  // not an object
        "",
    ])
    func whatTheScanDoesNotExpectIsLeftToTheDecoder(text: String) {
        #expect(Self.scan(text) == nil)
    }

    @Test func theFullDecodeReadsWhatTheScanLeaves() throws {
        let escaped = try Self.read(#"{"metadata":{"n\u0061me":"ab","uid":"u","labels":{"k":"v"}}}"#)
        #expect(escaped.name == "ab" && escaped.uid == "u" && escaped.labels == nil)
        #expect(throws: (any Error).self) { try Self.read(#"{"metadata":{"name":"a"}"#) }
        #expect(throws: (any Error).self) { try Self.read(#"{"kind":"Status"}"#) }
    }
}
