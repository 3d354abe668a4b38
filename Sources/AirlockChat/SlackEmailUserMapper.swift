import Synchronization

/// Where ``SlackEmailUserMapper`` looks users up: ``SlackClient`` (`users.info`), or a stub.
public protocol SlackUserDirectory: Sendable {
    /// The user's profile.
    ///
    /// - Throws: ``ChatError``; `.api` with `user_not_found` when there is no such user.
    func userInfo(id: String) async throws(ChatError) -> SlackUser
}

extension SlackClient: SlackUserDirectory {}

/// How a Slack email becomes a Kubernetes username.
public enum EmailUsernameRule: Sendable, Hashable {
    /// The whole address, lower-cased (`alice@example.com`): for clusters whose OIDC
    /// usernames are emails.
    case email
    /// The part before `@` (`alice`), only for addresses in these domains (lower-case); other
    /// domains stay unmapped, so `alice@elsewhere.com` never becomes `alice`.
    case localPart(domains: Set<String>)

    /// The username for `email`, or nil when the rule does not map it.
    public func username(for email: String) -> String? {
        let email = email.lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        switch self {
        case .email: return email
        case .localPart(let domains): return domains.contains(String(parts[1])) ? String(parts[0]) : nil
        }
    }
}

/// Maps a Slack user to a Kubernetes username through their profile email (`users.info`,
/// scopes `users:read` and `users:read.email`), the usual bridge between a Slack workspace
/// and the cluster's OIDC identities.
///
/// Bots, deleted users and (unless allowed) guests stay unmapped. Answers are cached per user
/// for `ttl` on the injected clock (unmapped ones for `negativeTTL`), at most `capacity`
/// users; a failed lookup is not cached and throws (retryable).
public final class SlackEmailUserMapper<C: Clock>: ChatUserMapper where C.Duration == Duration {
    private struct Entry {
        var identity: ChatIdentity?
        var expires: C.Instant
    }

    private let directory: any SlackUserDirectory
    private let rule: EmailUsernameRule
    private let groups: [String]
    private let allowGuests: Bool
    private let ttl: Duration
    private let negativeTTL: Duration
    private let capacity: Int
    private let clock: C
    private let cache = Mutex<[String: Entry]>([:])

    /// - Parameters:
    ///   - groups: groups every mapped user gets (e.g. `["slack-reviewers"]`), for policies'
    ///     reviewer lists; empty by default.
    ///   - allowGuests: whether single- and multi-channel guests map too.
    public init(
        directory: any SlackUserDirectory, rule: EmailUsernameRule = .email, groups: [String] = [],
        allowGuests: Bool = false, ttl: Duration = .seconds(600), negativeTTL: Duration = .seconds(60),
        capacity: Int = 4096, clock: C
    ) {
        self.directory = directory
        self.rule = rule
        self.groups = groups
        self.allowGuests = allowGuests
        self.ttl = ttl
        self.negativeTTL = negativeTTL
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    public func identity(for user: ChatUser) async throws(ChatError) -> ChatIdentity? {
        let now = clock.now
        if let entry = cache.withLock({ $0[user.id] }), now < entry.expires { return entry.identity }
        let identity: ChatIdentity?
        do {
            identity = map(try await directory.userInfo(id: user.id))
        } catch  where error.kind == .api && error.apiError == "user_not_found" {
            identity = nil
        }
        let entry = Entry(identity: identity, expires: now.advanced(by: identity == nil ? negativeTTL : ttl))
        cache.withLock { cache in
            if cache.count >= capacity && cache[user.id] == nil {
                cache = cache.filter { now < $0.value.expires }
                if cache.count >= capacity, let oldest = cache.min(by: { $0.value.expires < $1.value.expires }) {
                    cache[oldest.key] = nil
                }
            }
            cache[user.id] = entry
        }
        return identity
    }

    /// How many users are cached.
    public var cachedCount: Int { cache.withLock { $0.count } }

    private func map(_ user: SlackUser) -> ChatIdentity? {
        guard !user.isBot, !user.isDeleted, allowGuests || !user.isGuest, let email = user.email,
            let username = rule.username(for: email)
        else { return nil }
        return ChatIdentity(username: username, groups: groups)
    }
}

extension SlackEmailUserMapper where C == ContinuousClock {
    /// A mapper on the continuous clock.
    public convenience init(
        directory: any SlackUserDirectory, rule: EmailUsernameRule = .email, groups: [String] = [],
        allowGuests: Bool = false, ttl: Duration = .seconds(600), negativeTTL: Duration = .seconds(60),
        capacity: Int = 4096
    ) {
        self.init(
            directory: directory, rule: rule, groups: groups, allowGuests: allowGuests, ttl: ttl,
            negativeTTL: negativeTTL, capacity: capacity, clock: ContinuousClock())
    }
}
