import AirlockAPI
import KubeCore
import Synchronization
import Testing

@testable import AirlockIdentity

/// A remembered digest is the digest of that very value; the memo stays bounded.
struct DigestMemoTests {
    @Test func eachValueIsDigestedOnceWhileRemembered() {
        let memo = DigestMemo<String>(capacity: 4)
        let computed = Mutex<[String]>([])
        func digest(_ key: String) -> [UInt8] {
            memo.digest(of: key) { key in
                computed.withLock { $0.append(key) }
                return Array(key.utf8)
            }
        }
        #expect(digest("a") == Array("a".utf8))
        #expect(digest("a") == Array("a".utf8))
        #expect(digest("b") == Array("b".utf8))
        #expect(computed.withLock { $0 } == ["a", "b"])
    }

    @Test func theOldestIsForgottenFirst() {
        let memo = DigestMemo<Int>(capacity: 3)
        let computed = Mutex(0)
        func digest(_ key: Int) -> [UInt8] {
            memo.digest(of: key) { key in
                computed.withLock { $0 += 1 }
                return [UInt8(key)]
            }
        }
        for key in 0..<5 { _ = digest(key) }
        #expect(memo.count == 3)
        #expect(computed.withLock { $0 } == 5)
        _ = digest(4)  // remembered
        _ = digest(0)  // forgotten: computed again
        #expect(computed.withLock { $0 } == 6)
        #expect(memo.count == 3)
    }

    /// Through the memo, a claim's digest is the spec's own, and any change to the spec
    /// changes it (the memo is keyed by the whole value).
    @Test func aClaimsDigestIsItsSpecsDigest() throws {
        var request = Fixtures.request()
        request.spec.requester = Identity(username: "alice")
        let claim = try #require(IdentityClaim(request: request, signedAt: 1))
        var spec = request.spec
        spec.requester = nil
        spec.credential = spec.effectiveCredential
        #expect(claim.specDigest == IdentityClaim.digest(of: spec))
        #expect(try #require(IdentityClaim(request: request, signedAt: 1)).specDigest == claim.specDigest)
        request.spec.reason += "!"
        #expect(try #require(IdentityClaim(request: request, signedAt: 1)).specDigest != claim.specDigest)
    }
}
