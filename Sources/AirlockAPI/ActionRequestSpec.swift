import KubeCore

/// What an ActionRequest asks for: `permissions`, a `roleRef`, or both, for `duration`.
public struct ActionRequestSpec: Codable, Sendable, Hashable {
    /// Why the access is needed (shown to reviewers and kept in the audit trail).
    public var reason: String
    /// Optional ticket or incident reference.
    public var ticket: String?
    /// How long the grant should last once granted.
    public var duration: KubeDuration
    /// Exact RBAC rules, each for one target namespace (or cluster-wide without one).
    public var permissions: [PermissionRule]?
    /// An existing Role or ClusterRole to bind.
    public var roleRef: TargetRoleRef?
    /// Who receives the access; nil means ``CredentialMode/ephemeral``.
    public var credential: CredentialMode?
    /// With ``CredentialMode/subject``: the requester's own User or ServiceAccount to bind.
    public var subject: RBACSubject?
    /// Stamped and signed by the admission webhook; never trusted from the client.
    public var requester: Identity?

    public init(
        reason: String, ticket: String? = nil, duration: KubeDuration, permissions: [PermissionRule]? = nil,
        roleRef: TargetRoleRef? = nil, credential: CredentialMode? = nil, subject: RBACSubject? = nil,
        requester: Identity? = nil
    ) {
        self.reason = reason
        self.ticket = ticket
        self.duration = duration
        self.permissions = permissions
        self.roleRef = roleRef
        self.credential = credential
        self.subject = subject
        self.requester = requester
    }

    /// The credential mode in force: `credential`, or ``CredentialMode/ephemeral`` when unset.
    public var effectiveCredential: CredentialMode { credential ?? .ephemeral }
}
