import Foundation
import Hummingbird
import KubeCore
import Logging
import NIOCore
import Synchronization

/// A local stand-in for Slack, on `127.0.0.1` and a free port, speaking Slack's documented
/// wire format: `chat.postMessage`, `chat.update`, `views.open`, `users.info`,
/// `conversations.history`, `auth.test`, and `response_url`s. For tests and the demo (there
/// is no internet here).
///
/// - Checks `Authorization: Bearer <token>` (`not_authed` / `invalid_auth` otherwise) and
///   validates Block Kit against Slack's limits (`invalid_blocks` with messages).
/// - Records every call (``calls``) and keeps messages (``messages``) with their updates.
/// - Fault injection: ``failNext(_:with:method:)`` and ``failFraction(_:with:method:seed:)``
///   answer 5xx, 429 + `Retry-After`, or `ok:false` errors.
/// - Builds correctly signed interactions (``blockActions(clicking:on:user:option:at:signingSecret:)``,
///   ``viewSubmission(of:user:values:at:signingSecret:)``) and POSTs them (``post(_:to:)``).
/// - Serves the approval inbox at `/` (``inboxURL``): the cards as a web page whose buttons
///   send signed interactions to ``connectInbox(interactionURL:reviewer:)``'s endpoint.
///
/// ```swift
/// try await FakeSlackServer.withServer(users: [.init(id: "U1", name: "alice", email: "alice@example.com")]) { slack in
///     let client = SlackClient(token: ChatSecret(slack.token), baseURL: slack.baseURL)
///     let ref = try await client.postMessage(...)
///     let message = try #require(slack.message(channel: ref.channel, ts: ref.ts))
///     let (status, body) = try await slack.post(
///         slack.blockActions(clicking: "approve", on: message, user: "U1"), to: "http://127.0.0.1:\(port)/slack/interactions")
/// }
/// ```
public final class FakeSlackServer: Sendable {
    struct State {
        var calls: [Call] = []
        var messages: [Message] = []
        var users: [String: User] = [:]
        var queuedFaults: [(remaining: Int, fault: Fault, method: String?)] = []
        var fraction: (value: Double, fault: Fault, method: String?)? = nil
        var random: UInt64 = 1
        var sequence = 0
        var triggers: [String: Bool] = [:]
        var openedViews: [OpenedView] = []
        var responseURLUses: [String: Int] = [:]
        var responsePosts: [ResponsePost] = []
        var inbox = InboxState()
    }

    /// The bot token the fake accepts.
    public let token: String
    /// The signing secret interactions are signed with.
    public let signingSecret: String
    /// The workspace id.
    public let teamID: String
    /// The port bound on 127.0.0.1.
    public let port: Int
    let state: Mutex<State>
    private let task: Mutex<Task<Void, any Error>?>
    /// Seconds of the first `ts` handed out.
    let epoch: Int64

    /// The Web API root to give the client under test: `http://127.0.0.1:<port>/api`.
    public var baseURL: String { "http://127.0.0.1:\(port)/api" }
    /// What every `response_url` of this fake starts with.
    public var responseURLPrefix: String { "http://127.0.0.1:\(port)/response/" }

    private init(token: String, signingSecret: String, teamID: String, port: Int, users: [User]) {
        self.token = token
        self.signingSecret = signingSecret
        self.teamID = teamID
        self.port = port
        var state = State()
        for user in users { state.users[user.id] = user }
        self.state = Mutex(state)
        self.task = Mutex(nil)
        self.epoch = Int64(Date().timeIntervalSince1970)
    }

    /// Starts a fake on a free loopback port.
    public static func start(
        token: String = "xoxb-fake-0000-airlock", signingSecret: String = "fake-signing-secret-0123456789abcdef",
        teamID: String = "T0AIRLOCK", users: [User] = []
    ) async throws -> FakeSlackServer {
        let box = FakeSlackServerBox()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let router = Router()
        router.post("/api/:method") { request, context in try await Self.route(box, request, context) }
        router.get("/api/:method") { request, context in try await Self.route(box, request, context) }
        router.post("/response/:id") { request, context in try await Self.routeResponse(box, request, context) }
        addInboxRoutes(to: router, box)
        var logger = Logger(label: "fake-slack")
        // Hummingbird logs a cancelled server at error level; stopping is expected here.
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "fake-slack"),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw KubeTestingError(.startFailed, "the fake Slack server did not start")
        }
        LogSweep.register(token, as: "the Slack bot token")
        LogSweep.register(signingSecret, as: "the Slack signing secret")
        let server = FakeSlackServer(
            token: token, signingSecret: signingSecret, teamID: teamID, port: port, users: users)
        server.task.withLock { $0 = task }
        box.set(server)
        return server
    }

    /// Stops the server and waits for it to close.
    public func stop() async {
        guard
            let running = self.task.withLock({ current -> Task<Void, any Error>? in
                defer { current = nil }
                return current
            })
        else { return }
        running.cancel()
        _ = await running.result
    }

    /// Runs `body` with a started fake and stops it afterwards, also when `body` throws.
    public static func withServer<T>(
        token: String = "xoxb-fake-0000-airlock", signingSecret: String = "fake-signing-secret-0123456789abcdef",
        teamID: String = "T0AIRLOCK", users: [User] = [], _ body: (FakeSlackServer) async throws -> T
    ) async throws -> T {
        let server = try await start(token: token, signingSecret: signingSecret, teamID: teamID, users: users)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    // MARK: Inspection

    /// Every call received, in order.
    public var calls: [Call] { state.withLock { $0.calls } }

    /// The calls of one method.
    public func calls(_ method: String) -> [Call] { calls.filter { $0.method == method } }

    /// Every message posted (thread replies too), in order, as last updated.
    public var messages: [Message] { state.withLock { $0.messages } }

    /// The message at `ts` in `channel` (id or name).
    public func message(channel: String, ts: String) -> Message? {
        let id = Self.channelID(channel)
        return messages.first { $0.channel == id && $0.ts == ts }
    }

    /// Replies in the thread of `ts`.
    public func replies(channel: String, threadTS: String) -> [Message] {
        let id = Self.channelID(channel)
        return messages.filter { $0.channel == id && $0.threadTS == threadTS }
    }

    /// Modals opened with `views.open`.
    public var openedViews: [OpenedView] { state.withLock { $0.openedViews } }

    /// POSTs received on `response_url`s.
    public var responsePosts: [ResponsePost] { state.withLock { $0.responsePosts } }

    // MARK: Configuration

    /// Adds or replaces a user `users.info` knows.
    public func setUser(_ user: User) {
        state.withLock { $0.users[user.id] = user }
    }

    /// Answers the next `count` calls (of `method`, or any) with `fault`. Queued faults apply
    /// in order, before ``failFraction(_:with:method:seed:)``.
    public func failNext(_ count: Int, with fault: Fault, method: String? = nil) {
        state.withLock { $0.queuedFaults.append((count, fault, method)) }
    }

    /// Answers a `fraction` (0...1) of calls (of `method`, or any) with `fault`, chosen by a
    /// generator seeded with `seed` (runs repeat exactly).
    public func failFraction(_ fraction: Double, with fault: Fault, method: String? = nil, seed: UInt64 = 1) {
        state.withLock {
            $0.fraction = (min(max(fraction, 0), 1), fault, method)
            $0.random = seed == 0 ? 1 : seed
        }
    }

    /// Removes every injected fault.
    public func clearFaults() {
        state.withLock {
            $0.queuedFaults = []
            $0.fraction = nil
        }
    }

    // MARK: Helpers

    /// A channel id for a name: ids (`C…`, `G…`, `D…`) stay, `#name` and `name` map to a stable id.
    static func channelID(_ channel: String) -> String {
        let name = channel.hasPrefix("#") ? String(channel.dropFirst()) : channel
        let isID =
            name.count >= 7 && ["C", "G", "D"].contains(name.first.map(String.init) ?? "")
            && name.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }
        if isID { return name }
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        return "C" + String(hash % 1_000_000_000_000, radix: 36).uppercased()
    }

    /// The next fake `ts`, strictly increasing.
    func nextTS(_ state: inout State) -> String {
        state.sequence += 1
        let micros = String(state.sequence)
        return "\(epoch).\(String(repeating: "0", count: max(0, 6 - micros.count)))\(micros)"
    }

    /// The fault for a call of `method`, if one applies.
    func fault(for method: String, _ state: inout State) -> Fault? {
        if let index = state.queuedFaults.firstIndex(where: { $0.method == nil || $0.method == method }) {
            let fault = state.queuedFaults[index].fault
            state.queuedFaults[index].remaining -= 1
            if state.queuedFaults[index].remaining <= 0 { state.queuedFaults.remove(at: index) }
            return fault
        }
        if let fraction = state.fraction, fraction.method == nil || fraction.method == method {
            // SplitMix64: deterministic, good enough for choosing calls.
            state.random &+= 0x9E37_79B9_7F4A_7C15
            var z = state.random
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            if Double(z >> 11) / Double(1 << 53) < fraction.value { return fraction.fault }
        }
        return nil
    }
}

/// Lets the routes, built before the port is known, reach the server made after.
final class FakeSlackServerBox: Sendable {
    private let value = Mutex<FakeSlackServer?>(nil)
    var server: FakeSlackServer? { value.withLock { $0 } }
    func set(_ server: FakeSlackServer) { value.withLock { $0 = server } }
}
