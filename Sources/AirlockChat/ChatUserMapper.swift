/// A chat user as the channel identifies them.
public struct ChatUser: Sendable, Hashable {
    /// The channel's user id (Slack `U0123…`).
    public var id: String
    /// The channel's handle, for messages (never trusted for identity).
    public var handle: String?
    /// The workspace (Slack team id).
    public var teamID: String?

    public init(id: String, handle: String? = nil, teamID: String? = nil) {
        self.id = id
        self.handle = handle
        self.teamID = teamID
    }
}

/// The Kubernetes identity a chat user reviews as: the username and groups a
/// SubjectAccessReview checks for the `approve` verb, and that policies' reviewer lists name.
public struct ChatIdentity: Sendable, Hashable {
    public var username: String
    public var groups: [String]

    public init(username: String, groups: [String] = []) {
        self.username = username
        self.groups = groups
    }
}

/// Maps a chat user to the Kubernetes identity they review as.
///
/// Implementations: ``SlackEmailUserMapper`` (`users.info` email, cached), ``StaticUserMapper``
/// (a table, e.g. from a ConfigMap), ``FirstMatchUserMapper`` (the first that knows the user).
public protocol ChatUserMapper: Sendable {
    /// The identity of `user`, or nil when the user is not mapped (they get a clear answer and
    /// nothing changes).
    ///
    /// - Throws: ``ChatError`` when the lookup itself failed (Slack unavailable): retryable.
    func identity(for user: ChatUser) async throws(ChatError) -> ChatIdentity?
}

/// Asks each mapper in turn; the first identity wins (e.g. a ConfigMap's overrides, then email).
public struct FirstMatchUserMapper: ChatUserMapper {
    public let mappers: [any ChatUserMapper]

    public init(_ mappers: [any ChatUserMapper]) {
        self.mappers = mappers
    }

    public func identity(for user: ChatUser) async throws(ChatError) -> ChatIdentity? {
        for mapper in mappers {
            if let identity = try await mapper.identity(for: user) { return identity }
        }
        return nil
    }
}
