import AirlockAPI
import Crypto
import Foundation
import KubeCore

/// What an identity signature covers: who (the stamped identity), on which object (kind,
/// namespace, name) and for exactly which content (a digest of the spec without the stamped
/// identity; for a review that includes `onBehalfOf`).
///
/// The object's uid is not covered: at mutating admission of a CREATE the API server has not
/// assigned it yet. Namespace and name are: the webhook fills `metadata.name` itself when
/// the client used `generateName`, so the name is known when it signs.
public struct IdentityClaim: Sendable, Hashable {
    /// Which stamped field the claim is about.
    public enum Role: String, Sendable, Hashable {
        /// `ActionRequest.spec.requester`.
        case requester
        /// `ActionReview.spec.reviewer`.
        case reviewer
    }

    public var role: Role
    /// `ActionRequest` or `ActionReview`.
    public var kind: String
    public var namespace: String
    public var name: String
    public var username: String
    /// The user's uid; empty when the authenticator gives none.
    public var uid: String
    /// Sorted and de-duplicated: the order the API server lists groups in does not matter.
    public var groups: [String]
    /// SHA-256 of the canonical JSON of the spec with the stamped identity removed.
    public var specDigest: [UInt8]
    /// When the webhook signed, in whole seconds since 1970. Carried in the signature and
    /// compared with the object's `creationTimestamp`, so an identity signed for a deleted
    /// object cannot be replayed onto a new object of the same name while the webhook is
    /// bypassed.
    public var signedAt: Int64

    public init(
        role: Role, kind: String, namespace: String, name: String, identity: Identity, specDigest: [UInt8],
        signedAt: Int64
    ) {
        self.role = role
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.username = identity.username
        self.uid = identity.uid ?? ""
        self.groups = Array(Set(identity.groups ?? [])).sorted()
        self.specDigest = specDigest
        self.signedAt = signedAt
    }

    /// The claim of a request's `spec.requester`, signed at `signedAt`; nil when the request
    /// has none.
    public init?(request: ActionRequest, signedAt: Int64) {
        guard let identity = request.spec.requester else { return nil }
        var spec = request.spec
        spec.requester = nil
        // Hash the spec as it is interpreted: a schema default applied by the API server
        // (before or after admission, or on read after a CRD upgrade) must not change it.
        spec.credential = spec.effectiveCredential
        self.init(
            role: .requester, kind: ActionRequest.kind, namespace: request.metadata.namespace ?? "",
            name: request.metadata.name ?? "", identity: identity,
            specDigest: Self.requestSpecDigests.digest(of: spec, Self.digest(of:)),
            signedAt: signedAt)
    }

    /// The claim of a review's `spec.reviewer`, signed at `signedAt`; nil when the review has
    /// none.
    public init?(review: ActionReview, signedAt: Int64) {
        guard let identity = review.spec.reviewer else { return nil }
        var spec = review.spec
        spec.reviewer = nil
        self.init(
            role: .reviewer, kind: ActionReview.kind, namespace: review.metadata.namespace ?? "",
            name: review.metadata.name ?? "", identity: identity, specDigest: Self.digest(of: spec),
            signedAt: signedAt)
    }

    /// Domain separation: a signature made for anything else never verifies as a claim.
    static let tag = "airlock.dev/identity-claim/v1"

    /// The bytes the HMAC is computed over: the tag, then every field length-prefixed
    /// (4-byte big-endian length), groups preceded by their count. Unambiguous: no two
    /// different claims share an encoding.
    public var canonicalBytes: [UInt8] {
        var bytes: [UInt8] = []
        func append(_ field: some Collection<UInt8>) {
            let count = UInt32(field.count)
            bytes += [UInt8(count >> 24), UInt8((count >> 16) & 0xff), UInt8((count >> 8) & 0xff), UInt8(count & 0xff)]
            bytes += field
        }
        append(Array(Self.tag.utf8))
        append(Array(role.rawValue.utf8))
        append(Array(kind.utf8))
        append(Array(namespace.utf8))
        append(Array(name.utf8))
        append(Array(username.utf8))
        append(Array(uid.utf8))
        append(Array(String(groups.count).utf8))
        for group in groups { append(Array(group.utf8)) }
        append(specDigest)
        append(Array(String(signedAt).utf8))
        return bytes
    }

    /// Digests of recent request specs (``DigestMemo``).
    static let requestSpecDigests = DigestMemo<ActionRequestSpec>(capacity: 256)

    /// SHA-256 of the canonical JSON (sorted keys, KubeJSON) of a spec. Both sides — the
    /// webhook and the controller — decode the stored object into the same Swift type and
    /// re-encode it, so they hash the same bytes.
    public static func digest(of spec: some Encodable) -> [UInt8] {
        // Encoding these plain value types cannot fail; if it ever did, hashing a marker
        // makes every signature over it fail to verify rather than crash.
        let data = (try? KubeJSON.encode(spec)) ?? Data("unencodable".utf8)
        return Array(SHA256.hash(data: data))
    }
}
