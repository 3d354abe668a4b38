import KubeCore

/// An authenticated Kubernetes identity as the admission webhook stamps it from the API
/// server's userInfo (`spec.requester`, `spec.reviewer`), with the webhook's signature.
public struct Identity: Codable, Sendable, Hashable {
    public var username: String
    public var uid: String?
    public var groups: [String]?
    /// HMAC by a key only the controller holds; an identity whose signature does not verify
    /// is not trusted (a bypassed webhook cannot forge it).
    public var signature: String?

    public init(username: String, uid: String? = nil, groups: [String]? = nil, signature: String? = nil) {
        self.username = username
        self.uid = uid
        self.groups = groups
        self.signature = signature
    }

    /// The identity of an API call, unsigned (`username` empty when the call had none).
    public init(userInfo: UserInfo) {
        self.init(username: userInfo.username ?? "", uid: userInfo.uid, groups: userInfo.groups)
    }
}
