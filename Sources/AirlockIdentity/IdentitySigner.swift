import AirlockAPI
import Crypto
import Foundation
import KubeCore

/// Signs and verifies the identities Airlock's admission webhook stamps on ActionRequests
/// (`spec.requester`) and ActionReviews (`spec.reviewer`).
///
/// The signature is an HMAC-SHA256 over an ``IdentityClaim`` — the identity, the object's
/// kind, namespace and name, a digest of its spec without the identity, and the signing
/// time — written as `v1:<unix seconds>:<base64 HMAC>`. The webhook signs at mutating
/// admission; the controller verifies whenever it acts on an identity and treats anything
/// but ``IdentityVerification/verified`` as untrusted.
///
/// Without the key (a Secret only the controller can read) nobody can stamp an identity
/// that verifies: a bypassed or missing webhook cannot forge one, a signed identity cannot be
/// moved to another object or kept across a change of the spec, and — because the signing
/// time must lie within ``maximumSkew`` of the object's `creationTimestamp` — an object
/// cannot be deleted and re-created from a copy with its old signature.
public struct IdentitySigner: Sendable {
    /// Keys shorter than this are refused (HMAC-SHA256 wants at least its output size).
    public static let minimumKeyLength = 32
    /// The version tag every signature this version writes starts with.
    public static let signatureVersion = "v1"

    private let key: SymmetricKey
    /// How far the signing time may lie from the object's `creationTimestamp`. The API server
    /// sets the timestamp milliseconds after the webhook signs; the margin covers clock skew
    /// between the webhook's node and the API server.
    public var maximumSkew: Duration

    /// A signer with `key` (at least ``minimumKeyLength`` bytes).
    public init(key: some Collection<UInt8>, maximumSkew: Duration = .seconds(300)) throws {
        guard key.count >= Self.minimumKeyLength else {
            throw IdentityError("the signing key has \(key.count) bytes; at least \(Self.minimumKeyLength) are needed")
        }
        self.key = SymmetricKey(data: Array(key))
        self.maximumSkew = maximumSkew
    }

    /// 32 bytes from the system's secure random source.
    public static func randomKey() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    // MARK: Claims

    /// The signature of a claim: `v1:<signedAt>:<base64 of HMAC-SHA256(key, claim.canonicalBytes)>`.
    public func signature(for claim: IdentityClaim) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: claim.canonicalBytes, using: key)
        return "\(Self.signatureVersion):\(claim.signedAt):\(Data(code).base64EncodedString())"
    }

    /// The parts of a signature string: the signing time and the HMAC; nil when malformed.
    static func parse(_ signature: String) -> (signedAt: Int64, code: Data)? {
        let parts = signature.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Self.signatureVersion, let signedAt = Int64(parts[1]),
            let code = Data(base64Encoded: String(parts[2])), code.count == SHA256.byteCount
        else { return nil }
        return (signedAt, code)
    }

    /// Checks `signature` against the claim `makeClaim` builds for the signing time the
    /// signature carries, in constant time; then that the signing time is within
    /// ``maximumSkew`` of `createdAt` (when known).
    func verify(
        signature: String?, createdAt: Date?, makeClaim: (Int64) -> IdentityClaim?
    ) -> IdentityVerification {
        guard let signature, !signature.isEmpty else { return .missingSignature }
        guard let (signedAt, code) = Self.parse(signature) else { return .malformedSignature }
        guard let claim = makeClaim(signedAt) else { return .missingIdentity }
        guard HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: claim.canonicalBytes, using: key) else {
            return .mismatch
        }
        if let createdAt {
            let skew = abs(createdAt.timeIntervalSince1970 - Double(signedAt))
            guard skew <= Double(maximumSkew.components.seconds) + 1 else { return .stale }
        }
        return .verified
    }

    // MARK: ActionRequest

    /// `request` with `spec.requester` set to `identity` and signed at `now`. The request's
    /// namespace and name must be the final ones (the webhook fills the name for
    /// `generateName`).
    public func stamp(_ request: ActionRequest, requester identity: Identity, now: Date = Date()) -> ActionRequest {
        var stamped = request
        var identity = identity
        identity.signature = nil
        stamped.spec.requester = identity
        // The claim exists: the requester was just set.
        if let claim = IdentityClaim(request: stamped, signedAt: Self.seconds(now)) {
            stamped.spec.requester?.signature = signature(for: claim)
        }
        return stamped
    }

    /// Whether the request's `spec.requester` was stamped by the webhook for exactly this
    /// request, when it was created.
    public func verify(_ request: ActionRequest) -> IdentityVerification {
        guard let requester = request.spec.requester else { return .missingIdentity }
        return verify(signature: requester.signature, createdAt: request.metadata.creationTimestamp) {
            IdentityClaim(request: request, signedAt: $0)
        }
    }

    // MARK: ActionReview

    /// `review` with `spec.reviewer` set to `identity` and signed at `now` (over the whole
    /// spec, `onBehalfOf` included).
    public func stamp(_ review: ActionReview, reviewer identity: Identity, now: Date = Date()) -> ActionReview {
        var stamped = review
        var identity = identity
        identity.signature = nil
        stamped.spec.reviewer = identity
        if let claim = IdentityClaim(review: stamped, signedAt: Self.seconds(now)) {
            stamped.spec.reviewer?.signature = signature(for: claim)
        }
        return stamped
    }

    /// Whether the review's `spec.reviewer` was stamped by the webhook for exactly this
    /// review, when it was created.
    public func verify(_ review: ActionReview) -> IdentityVerification {
        guard let reviewer = review.spec.reviewer else { return .missingIdentity }
        return verify(signature: reviewer.signature, createdAt: review.metadata.creationTimestamp) {
            IdentityClaim(review: review, signedAt: $0)
        }
    }

    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }
}
