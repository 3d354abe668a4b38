/// Why a review does not count: a stable, CamelCase code (kept in `status.reviews[]` and
/// reported as a Warning Event).
public enum ReviewRejection: String, Sendable, Hashable, Codable, CaseIterable {
    /// The signature on the stamped reviewer identity does not verify.
    case signatureInvalid = "SignatureInvalid"
    /// The stamped reviewer identity has no username.
    case missingIdentity = "MissingIdentity"
    /// The review names another instance of the request (an earlier one of the same name), or
    /// none, or was created before the request.
    case otherRequestInstance = "OtherRequestInstance"
    /// Created while Airlock's admission webhooks were missing or altered.
    case admissionUnverified = "AdmissionUnverified"
    /// `onBehalfOf` set by someone other than the controller.
    case onBehalfOfNotPermitted = "OnBehalfOfNotPermitted"
    /// A chat review from a user not mapped to a Kubernetes user.
    case unmappedChatUser = "UnmappedChatUser"
    /// Approve or Deny on a request that is no longer Pending.
    case notPending = "NotPending"
    /// Revoke (by someone other than the requester) on a request that is not Granted.
    case notGranted = "NotGranted"
    /// The requester's Revoke on a request that is already finished.
    case requestFinished = "RequestFinished"
    /// The requester (or its owner, or an agent it owns) reviewing its own request (only Revoke
    /// is open to it).
    case selfApproval = "SelfApproval"
    /// The grantee reviewing the request it would benefit from.
    case granteeApproval = "GranteeApproval"
    /// A chat review on behalf of the requester.
    case onBehalfOfRequester = "OnBehalfOfRequester"
    /// A chat review on behalf of the grantee.
    case onBehalfOfGrantee = "OnBehalfOfGrantee"
    /// The reviewer is not in every reviewer set the matching policies name.
    case notAllowedByPolicy = "NotAllowedByPolicy"
    /// The SubjectAccessReview for `approve` on `actionrequests.airlock.dev` said no (or was not made).
    case notAuthorized = "NotAuthorized"
    /// An approved duration that is zero or negative.
    case invalidDuration = "InvalidDuration"
    /// An approved duration longer than the requested one (a review may only shorten).
    case durationNotShorter = "DurationNotShorter"
}
