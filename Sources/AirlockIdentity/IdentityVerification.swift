/// The outcome of checking a stamped identity's signature.
public enum IdentityVerification: Sendable, Hashable, CustomStringConvertible {
    /// The signature was made by the webhook for exactly this identity, object and content.
    case verified
    /// No `spec.requester` / `spec.reviewer` at all.
    case missingIdentity
    /// An identity without a signature (written while the webhook was bypassed).
    case missingSignature
    /// A signature that is not in the `v1:<base64>` form.
    case malformedSignature
    /// A well-formed signature that does not match: forged, copied from another object, or
    /// the object was changed after it was signed.
    case mismatch
    /// A valid signature made too long before (or after) the object's `creationTimestamp`:
    /// a copy of a deleted object re-created while the webhook was bypassed.
    case stale

    public var isVerified: Bool { self == .verified }

    /// CamelCase reason, for a Warning Event or `status.reason`.
    public var reason: String {
        switch self {
        case .verified: return "IdentityVerified"
        case .missingIdentity: return "IdentityMissing"
        case .missingSignature: return "IdentitySignatureMissing"
        case .malformedSignature: return "IdentitySignatureMalformed"
        case .mismatch: return "IdentitySignatureMismatch"
        case .stale: return "IdentitySignatureStale"
        }
    }

    public var description: String {
        switch self {
        case .verified: return "the stamped identity's signature verifies"
        case .missingIdentity: return "no stamped identity (was the admission webhook bypassed?)"
        case .missingSignature: return "the stamped identity carries no signature (was the admission webhook bypassed?)"
        case .malformedSignature: return "the stamped identity's signature is malformed"
        case .stale:
            return "the stamped identity was signed for an earlier object (signing time far from creationTimestamp)"
        case .mismatch:
            return "the stamped identity's signature does not match the object (forged, copied, or changed after"
                + " admission)"
        }
    }
}
