import AirlockChat
import KubeCore
import Synchronization
import Testing

/// Slack user → Kubernetes identity: the ConfigMap table and the cached email lookup.
@Suite struct UserMapperTests {
    @Test func parsesTheConfigMapFormat() async throws {
        let mapper = try StaticUserMapper(
            configMap: ConfigMap(
                metadata: ObjectMeta(name: "airlock-slack-users"),
                data: [
                    "U024BE7LH": "alice@example.com\n",
                    "W0G9QF9C6": #"{"username": "bob", "groups": ["sre", "oncall"]}"#,
                ]))
        #expect(
            try await mapper.identity(for: ChatUser(id: "U024BE7LH")) == ChatIdentity(username: "alice@example.com"))
        #expect(
            try await mapper.identity(for: ChatUser(id: "W0G9QF9C6"))
                == ChatIdentity(username: "bob", groups: ["sre", "oncall"]))
        #expect(try await mapper.identity(for: ChatUser(id: "U999")) == nil)
    }

    @Test(arguments: [
        (["alice": "alice"], "is not a Slack user id"),
        (["U024BE7LH": ""], "empty username"),
        (["U024BE7LH": "{\"groups\": []}"], "not a username or a JSON object"),
        (["U024BE7LH": "{\"username\": \"a\", \"groups\": [1]}"], "groups must be a list of strings"),
        (["U024BE7LH": "system:admin"], "cannot map to system:"),
        (["U024BE7LH": "{\"username\": \"a\", \"groups\": [\"system:masters\"]}"], "'system:masters'"),
    ])
    func badEntriesAreNamed(data: [String: String], problem: String) {
        let error = #expect(throws: ChatError.self) { try StaticUserMapper(configMapData: data) }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
    }

    /// Teams object ids compare without case: one id spelled twice is refused, not a crash
    /// (the table once built a dictionary that traps on repeated keys) nor a silent pick.
    @Test func aTeamsObjectIDSpelledInTwoCasesIsRefused() throws {
        let id = "6f1c2a9e-0b7d-4c1e-9a43-1d2e3f405162"
        let table = try StaticUserMapper.parse(configMapData: [id.uppercased(): "alice"], keys: .teams)
        #expect(table == [id: ChatIdentity(username: "alice")])
        let error = #expect(throws: ChatError.self) {
            try StaticUserMapper.parse(configMapData: [id: "alice", id.uppercased(): "mallory"], keys: .teams)
        }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains("in a different case") == true, "\(error?.message ?? "")")
    }

    /// A directory answering from a table and counting lookups.
    final class Directory: SlackUserDirectory {
        let users: [String: SlackUser]
        let lookups = Mutex(0)
        let failing = Mutex(false)

        init(_ users: [SlackUser]) {
            self.users = Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0) })
        }

        func userInfo(id: String) async throws(ChatError) -> SlackUser {
            lookups.withLock { $0 += 1 }
            if failing.withLock({ $0 }) { throw ChatError(.unavailable, "Slack users.info is unreachable") }
            guard let user = users[id] else {
                throw ChatError(.api, "Slack users.info failed: user_not_found", apiError: "user_not_found")
            }
            return user
        }
    }

    let directory = Directory([
        SlackUser(id: "U1", name: "alice", email: "Alice@Example.com"),
        SlackUser(id: "U2", name: "eve", email: "eve@elsewhere.org"),
        SlackUser(id: "U3", name: "bot", email: "bot@example.com", isBot: true),
        SlackUser(id: "U4", name: "guest", email: "guest@example.com", isGuest: true),
        SlackUser(id: "U5", name: "gone", email: "gone@example.com", isDeleted: true),
        SlackUser(id: "U6", name: "noemail"),
    ])

    @Test func mapsEmailsByTheRule() async throws {
        let clock = TestClock()
        let whole = SlackEmailUserMapper(directory: directory, groups: ["slack-reviewers"], clock: clock)
        #expect(
            try await whole.identity(for: ChatUser(id: "U1"))
                == ChatIdentity(username: "alice@example.com", groups: ["slack-reviewers"]))
        let local = SlackEmailUserMapper(directory: directory, rule: .localPart(domains: ["example.com"]), clock: clock)
        #expect(try await local.identity(for: ChatUser(id: "U1"))?.username == "alice")
        #expect(try await local.identity(for: ChatUser(id: "U2")) == nil, "another domain never maps to a local name")
        for id in ["U3", "U4", "U5", "U6", "U404"] {
            #expect(try await whole.identity(for: ChatUser(id: id)) == nil, "\(id)")
        }
        let guests = SlackEmailUserMapper(directory: directory, allowGuests: true, clock: clock)
        #expect(try await guests.identity(for: ChatUser(id: "U4"))?.username == "guest@example.com")
    }

    @Test func answersAreCachedForTheTTLOnTheInjectedClock() async throws {
        let clock = TestClock()
        let mapper = SlackEmailUserMapper(
            directory: directory, ttl: .seconds(600), negativeTTL: .seconds(60), clock: clock)
        _ = try await mapper.identity(for: ChatUser(id: "U1"))
        _ = try await mapper.identity(for: ChatUser(id: "U1"))
        #expect(directory.lookups.withLock { $0 } == 1)
        clock.advance(.seconds(599))
        _ = try await mapper.identity(for: ChatUser(id: "U1"))
        #expect(directory.lookups.withLock { $0 } == 1)
        clock.advance(.seconds(1))
        _ = try await mapper.identity(for: ChatUser(id: "U1"))
        #expect(directory.lookups.withLock { $0 } == 2)

        _ = try await mapper.identity(for: ChatUser(id: "U404"))
        _ = try await mapper.identity(for: ChatUser(id: "U404"))
        #expect(directory.lookups.withLock { $0 } == 3, "unknown users are cached too, briefly")
        clock.advance(.seconds(60))
        _ = try await mapper.identity(for: ChatUser(id: "U404"))
        #expect(directory.lookups.withLock { $0 } == 4)
    }

    @Test func failuresThrowAndAreNotCached() async throws {
        let mapper = SlackEmailUserMapper(directory: directory, clock: TestClock())
        directory.failing.withLock { $0 = true }
        let error = await #expect(throws: ChatError.self) { try await mapper.identity(for: ChatUser(id: "U1")) }
        #expect(error?.isRetryable == true)
        directory.failing.withLock { $0 = false }
        #expect(try await mapper.identity(for: ChatUser(id: "U1"))?.username == "alice@example.com")
        #expect(mapper.cachedCount == 1)
    }

    @Test func theCacheIsBounded() async throws {
        let mapper = SlackEmailUserMapper(directory: directory, capacity: 2, clock: TestClock())
        for id in ["U1", "U2", "U3", "U4"] { _ = try await mapper.identity(for: ChatUser(id: id)) }
        #expect(mapper.cachedCount == 2)
    }

    @Test func firstMatchAsksInTurn() async throws {
        let table = StaticUserMapper(users: ["U2": ChatIdentity(username: "eve-override")])
        let mapper = FirstMatchUserMapper([table, SlackEmailUserMapper(directory: directory, clock: TestClock())])
        #expect(try await mapper.identity(for: ChatUser(id: "U2"))?.username == "eve-override")
        #expect(try await mapper.identity(for: ChatUser(id: "U1"))?.username == "alice@example.com")
    }
}
