import AirlockAPI
import AirlockIdentity
import Foundation
import KubeCore
import Testing

/// One change an attacker (or an accident) could make to a signed object.
struct Tamper<Object: Sendable>: Sendable, CustomTestStringConvertible {
    var name: String
    var apply: @Sendable (inout Object) -> Void
    var testDescription: String { name }
    init(_ name: String, _ apply: @escaping @Sendable (inout Object) -> Void) {
        self.name = name
        self.apply = apply
    }
}

@Suite struct IdentitySignerTests {
    let signer = Fixtures.signer
    let alice = Identity(username: "alice", uid: "u-alice", groups: ["dev", "system:authenticated"])

    var signedRequest: ActionRequest {
        signer.stamp(Fixtures.request(), requester: alice, now: Fixtures.fixedNow)
    }

    var signedReview: ActionReview {
        signer.stamp(
            Fixtures.review(onBehalfOf: OnBehalfOf(username: "carol", channel: "slack", externalUser: "U123")),
            reviewer: Identity(username: Fixtures.controller, uid: "u-ctl"), now: Fixtures.fixedNow)
    }

    @Test func signedRequestVerifies() throws {
        let request = signedRequest
        let signature = try #require(request.spec.requester?.signature)
        #expect(signature.hasPrefix("v1:\(Int64(Fixtures.fixedNow.timeIntervalSince1970)):"))
        #expect(signer.verify(request) == .verified)
        // The identity itself is kept as given.
        #expect(request.spec.requester?.username == "alice")
        #expect(request.spec.requester?.groups == ["dev", "system:authenticated"])
    }

    @Test func signatureSurvivesTheRoundTripThroughJSON() throws {
        let data = try KubeJSON.encode(signedRequest)
        let decoded = try KubeJSON.decode(ActionRequest.self, from: data)
        #expect(signer.verify(decoded) == .verified)
        let reviewData = try KubeJSON.encode(signedReview)
        #expect(signer.verify(try KubeJSON.decode(ActionReview.self, from: reviewData)) == .verified)
    }

    @Test func groupOrderDoesNotMatter() {
        var request = signedRequest
        request.spec.requester?.groups = ["system:authenticated", "dev", "dev"]
        #expect(signer.verify(request) == .verified)
    }

    @Test func aClientSuppliedSignatureIsReplacedWhenStamping() {
        var forged = alice
        forged.signature = "v1:1:AAAA"
        let request = signer.stamp(Fixtures.request(), requester: forged, now: Fixtures.fixedNow)
        #expect(request.spec.requester?.signature != "v1:1:AAAA")
        #expect(signer.verify(request) == .verified)
    }

    static let requestTampers: [Tamper<ActionRequest>] = [
        Tamper("namespace") { $0.metadata.namespace = "team-b" },
        Tamper("name") { $0.metadata.name = "db-restart-2" },
        Tamper("username") { $0.spec.requester?.username = "bob" },
        Tamper("uid") { $0.spec.requester?.uid = "u-bob" },
        Tamper("uid removed") { $0.spec.requester?.uid = nil },
        Tamper("group added") { $0.spec.requester?.groups?.append("system:masters") },
        Tamper("group removed") { $0.spec.requester?.groups = ["dev"] },
        Tamper("reason") { $0.spec.reason = "something else" },
        Tamper("ticket") { $0.spec.ticket = nil },
        Tamper("duration") { $0.spec.duration = KubeDuration(seconds: 86_400) },
        Tamper("verb") { $0.spec.permissions?[0].verbs = ["delete", "create"] },
        Tamper("resource name") { $0.spec.permissions?[0].resourceNames = nil },
        Tamper("target namespace") { $0.spec.permissions?[0].namespace = "kube-system" },
        Tamper("permission added") {
            $0.spec.permissions?.append(
                PermissionRule(namespace: "prod", apiGroups: [""], resources: ["secrets"], verbs: ["get"]))
        },
        Tamper("roleRef added") {
            $0.spec.roleRef = TargetRoleRef(kind: .clusterRole, name: "admin", namespace: "prod")
        },
        Tamper("credential") { $0.spec.credential = .subject },
        Tamper("subject") { $0.spec.subject = .user("mallory") },
        Tamper("signature bits") {
            let parts = $0.spec.requester!.signature!.split(separator: ":")
            let first = parts[2].first == "A" ? "B" : "A"
            $0.spec.requester?.signature = "v1:\(parts[1]):\(first)\(parts[2].dropFirst())"
        },
        Tamper("signing time") {
            let parts = $0.spec.requester!.signature!.split(separator: ":")
            $0.spec.requester?.signature = "v1:\(Int64(parts[1])! + 1):\(parts[2])"
        },
    ]

    @Test(arguments: requestTampers)
    func everySignedRequestFieldIsCovered(_ tamper: Tamper<ActionRequest>) {
        var request = signedRequest
        tamper.apply(&request)
        #expect(signer.verify(request) == .mismatch)
    }

    static let reviewTampers: [Tamper<ActionReview>] = [
        Tamper("namespace") { $0.metadata.namespace = "team-b" },
        Tamper("name") { $0.metadata.name = "approve-2" },
        Tamper("username") { $0.spec.reviewer?.username = "bob" },
        Tamper("uid") { $0.spec.reviewer?.uid = "other" },
        Tamper("group added") { $0.spec.reviewer?.groups = ["system:masters"] },
        Tamper("request") { $0.spec.request = "other-request" },
        Tamper("decision") { $0.spec.decision = .deny },
        Tamper("duration") { $0.spec.duration = KubeDuration(seconds: 60) },
        Tamper("comment") { $0.spec.comment = "lgtm" },
        Tamper("onBehalfOf username") { $0.spec.onBehalfOf?.username = "dave" },
        Tamper("onBehalfOf channel") { $0.spec.onBehalfOf?.channel = "teams" },
        Tamper("onBehalfOf removed") { $0.spec.onBehalfOf = nil },
    ]

    @Test(arguments: reviewTampers)
    func everySignedReviewFieldIsCovered(_ tamper: Tamper<ActionReview>) {
        var review = signedReview
        tamper.apply(&review)
        #expect(signer.verify(review) == .mismatch)
    }

    @Test func aSignatureCannotMoveToAnotherKind() {
        // A review with the same namespace and name as a signed request, carrying the
        // request's identity and signature.
        let request = signedRequest
        var review = Fixtures.review(name: request.metadata.name)
        review.spec.reviewer = request.spec.requester
        #expect(signer.verify(review) == .mismatch)
    }

    @Test func anotherKeyDoesNotVerify() throws {
        let other = try IdentitySigner(key: Array(repeating: UInt8(8), count: 32))
        #expect(other.verify(signedRequest) == .mismatch)
        #expect(other.verify(signedReview) == .mismatch)
    }

    @Test func missingAndMalformedSignatures() {
        var request = signedRequest
        request.spec.requester?.signature = nil
        #expect(signer.verify(request) == .missingSignature)
        request.spec.requester?.signature = ""
        #expect(signer.verify(request) == .missingSignature)
        for malformed in ["garbage", "v2:1:AAAA", "v1:notanumber:AAAA", "v1:1:!!!", "v1:1:AAAA", "v1:1"] {
            request.spec.requester?.signature = malformed
            #expect(signer.verify(request) == .malformedSignature, "\(malformed)")
        }
        request.spec.requester = nil
        #expect(signer.verify(request) == .missingIdentity)
        #expect(signer.verify(Fixtures.review()) == .missingIdentity)
    }

    @Test func signingTimeMustBeNearTheCreationTimestamp() {
        var request = signedRequest
        request.metadata.creationTimestamp = Fixtures.fixedNow.addingTimeInterval(0.4)
        #expect(signer.verify(request) == .verified)
        request.metadata.creationTimestamp = Fixtures.fixedNow.addingTimeInterval(-120)
        #expect(signer.verify(request) == .verified)
        // A copy re-created a day later (webhook bypassed) carries an old signature.
        request.metadata.creationTimestamp = Fixtures.fixedNow.addingTimeInterval(86_400)
        #expect(signer.verify(request) == .stale)
        #expect(!IdentityVerification.stale.isVerified)
    }

    @Test func shortKeysAreRefused() {
        #expect(throws: IdentityError.self) { try IdentitySigner(key: [UInt8](repeating: 1, count: 31)) }
        #expect(IdentitySigner.randomKey().count == 32)
        #expect(IdentitySigner.randomKey() != IdentitySigner.randomKey())
    }

    @Test func signingKeySecretRoundTrip() throws {
        let key = IdentitySigner.randomKey()
        let secret = SigningKeySecret.makeSecret(namespace: "airlock-system", key: key)
        #expect(secret.metadata.name == "airlock-signing-key")
        let loaded = try SigningKeySecret.signer(from: secret)
        let original = try IdentitySigner(key: key)
        let request = original.stamp(Fixtures.request(), requester: alice, now: Fixtures.fixedNow)
        #expect(loaded.verify(request) == .verified)
        var empty = secret
        empty.data = [:]
        #expect(throws: IdentityError.self) { try SigningKeySecret.signer(from: empty) }
    }

    @Test func claimEncodingIsUnambiguous() {
        // Moving a character between adjacent fields must change the bytes.
        let a = IdentityClaim(
            role: .requester, kind: "ActionRequest", namespace: "ab", name: "c", identity: Identity(username: "u"),
            specDigest: [1], signedAt: 1)
        let b = IdentityClaim(
            role: .requester, kind: "ActionRequest", namespace: "a", name: "bc", identity: Identity(username: "u"),
            specDigest: [1], signedAt: 1)
        #expect(a.canonicalBytes != b.canonicalBytes)
        let c = IdentityClaim(
            role: .requester, kind: "ActionRequest", namespace: "a", name: "b",
            identity: Identity(username: "u", groups: ["x,y"]), specDigest: [1], signedAt: 1)
        let d = IdentityClaim(
            role: .requester, kind: "ActionRequest", namespace: "a", name: "b",
            identity: Identity(username: "u", groups: ["x", "y"]), specDigest: [1], signedAt: 1)
        #expect(c.canonicalBytes != d.canonicalBytes)
    }
}
