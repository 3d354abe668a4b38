import Crypto
import Foundation
import Hummingbird
import KubeCore
import Logging
import NIOCore
import Synchronization
import _CryptoExtras

/// A local stand-in for the Microsoft side of a Teams bot, on `127.0.0.1` and a free port:
///
/// - the **token service** (`POST /token`: client credentials → `access_token`, `expires_in`);
/// - the Bot Framework **OpenID metadata** (`GET /openid`, naming `jwks_uri`) and **JWKS**
///   (`GET /keys`: the public halves of ``signingKeys``);
/// - the **Bot Connector** under ``serviceURL``: send, update and reply to activities in a
///   conversation (recorded in ``activities`` and ``calls``; the token must be one it issued),
///   and member look-ups (``users``); ``failNext(_:status:retryAfter:)`` injects 429s or 5xxs;
/// - **invokes as Teams sends them**: ``invoke(_:request:user:inputs:)`` builds an
///   `adaptiveCard/action` activity with an RS256 JWT signed by the first signing key
///   (``token(_:)`` mints any token, for attack tests), and ``post(_:to:)`` POSTs it.
public final class FakeTeamsServer: Sendable {
    /// A Teams user of the fake tenant.
    public struct User: Sendable, Hashable {
        /// `from.id` (`29:…`).
        public var id: String
        /// `from.aadObjectId` (a GUID).
        public var aadObjectID: String
        public var name: String
        public var email: String?

        public init(id: String, aadObjectID: String, name: String, email: String? = nil) {
            self.id = id
            self.aadObjectID = aadObjectID
            self.name = name
            self.email = email
        }
    }

    /// An RSA key the fake signs tokens with (its public half is in the JWKS).
    public struct SigningKey: Sendable {
        public var id: String
        public var privateKey: _RSA.Signing.PrivateKey

        public init(id: String, privateKey: _RSA.Signing.PrivateKey) {
            self.id = id
            self.privateKey = privateKey
        }

        /// A fresh 2048-bit key.
        public static func generate(id: String) throws -> SigningKey {
            SigningKey(id: id, privateKey: try _RSA.Signing.PrivateKey(keySize: .bits2048))
        }
    }

    /// One activity in a conversation, as last sent or updated.
    public struct Activity: Sendable {
        public var id: String
        public var conversation: String
        public var body: JSONValue
        public var replyToID: String?
        public var updates: Int

        /// The Adaptive Card of the first attachment.
        public var card: JSONValue? { body["attachments"]?.teamsItems?.first?["content"] }
    }

    /// One Bot Connector call.
    public struct Call: Sendable {
        public var method: String
        public var path: String
        public var status: Int
        public var at: ContinuousClock.Instant
    }

    struct State {
        var activities: [Activity] = []
        var calls: [Call] = []
        var issued: Set<String> = []
        var tokenRequests = 0
        var faults: [(remaining: Int, status: Int, retryAfter: Int?)] = []
        var sequence = 0
        var workflowPosts: [JSONValue] = []
    }

    public let appID: String
    public let appPassword: String
    public let tenantID: String
    public let port: Int
    public let signingKeys: [SigningKey]
    public let users: [User]
    let state = Mutex(State())
    private let task: Mutex<Task<Void, any Error>?>

    var base: String { "http://127.0.0.1:\(port)" }
    /// The token endpoint (the bot's `--teams-token-url`).
    public var tokenURL: String { "\(base)/token" }
    /// The OpenID metadata (the bot's `--teams-openid-url`).
    public var metadataURL: String { "\(base)/openid" }
    /// The issuer of the tokens it mints.
    public let issuer = "https://api.botframework.com"
    /// The Bot Connector service URL of its conversations.
    public var serviceURL: String { "\(base)/connector/" }
    /// A Teams Workflows (incoming) webhook URL: messages posted there are kept.
    public var workflowURL: String { "\(base)/workflows/fake-workflow-0001" }

    private init(
        appID: String, appPassword: String, tenantID: String, port: Int, keys: [SigningKey], users: [User],
        task: Task<Void, any Error>
    ) {
        self.appID = appID
        self.appPassword = appPassword
        self.tenantID = tenantID
        self.port = port
        self.signingKeys = keys
        self.users = users
        self.task = Mutex(task)
    }

    /// Starts a fake on a free loopback port; `keys` nil generates one.
    public static func start(
        appID: String = "00000000-0000-0000-0000-00000000b07a", appPassword: String = "fake-bot-password",
        tenantID: String = "11111111-2222-3333-4444-555555555555", keys: [SigningKey]? = nil, users: [User] = []
    ) async throws -> FakeTeamsServer {
        let keys = try keys ?? [SigningKey.generate(id: "fake-key-1")]
        let box = Box()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let router = Router()
        router.post("/token") { request, _ in try await box.server!.token(request) }
        router.get("/openid") { _, _ in
            box.server!.json(["issuer": .string(box.server!.issuer), "jwks_uri": .string("\(box.server!.base)/keys")])
        }
        router.get("/keys") { _, _ in try box.server!.jwks() }
        let conversation = "/connector/v3/conversations/:conversation"
        router.post("\(conversation)/activities") { request, context in
            try await box.server!.connector(request, context, activity: nil)
        }
        router.post("\(conversation)/activities/:activity") { request, context in
            try await box.server!.connector(request, context, activity: context.parameters.get("activity"))
        }
        router.put("\(conversation)/activities/:activity") { request, context in
            try await box.server!.connector(request, context, activity: context.parameters.get("activity"))
        }
        router.get("\(conversation)/members/:member") { request, context in
            try await box.server!.member(request, context)
        }
        router.post("/workflows/:id") { request, _ in try await box.server!.workflow(request) }
        var logger = Logger(label: "fake-teams")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "fake-teams"),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw KubeTestingError(.startFailed, "the fake Teams server did not start")
        }
        let server = FakeTeamsServer(
            appID: appID, appPassword: appPassword, tenantID: tenantID, port: port, keys: keys, users: users,
            task: task)
        box.set(server)
        return server
    }

    /// Stops the server and waits for it to close.
    public func stop() async {
        guard
            let running = task.withLock({ current in
                defer { current = nil }; return current
            })
        else { return }
        running.cancel()
        _ = await running.result
    }

    // MARK: Inspection and faults

    /// Activities sent so far (cards and replies), in order.
    public var activities: [Activity] { state.withLock { $0.activities } }
    /// Bot Connector calls so far.
    public var calls: [Call] { state.withLock { $0.calls } }
    /// Messages posted to the Workflows webhook URL (``workflowURL``).
    public var workflowPosts: [JSONValue] { state.withLock { $0.workflowPosts } }
    /// Access tokens issued so far.
    public var tokenRequests: Int { state.withLock { $0.tokenRequests } }

    /// The next `count` sends, updates or replies answer `status` (with `Retry-After`).
    public func failNext(_ count: Int, status: Int = 429, retryAfter: Int? = 1) {
        state.withLock { $0.faults.append((count, status, retryAfter)) }
    }

    // MARK: Routes

    private func token(_ request: Request) async throws -> Response {
        let body = String(buffer: try await request.body.collect(upTo: 1 << 16))
        var form: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if parts.count == 2 { form[parts[0]] = parts[1] }
        }
        guard form["grant_type"] == "client_credentials", form["client_id"] == appID,
            form["client_secret"] == appPassword, form["scope"] == "https://api.botframework.com/.default"
        else { return json(["error": "invalid_client"], status: .unauthorized) }
        let token = state.withLock { state -> String in
            state.tokenRequests += 1
            let token = "fake-access-token-\(state.tokenRequests)-\(UInt64.random(in: 0...UInt64.max))"
            state.issued.insert(token)
            return token
        }
        return json(["token_type": "Bearer", "expires_in": 3600, "access_token": .string(token)])
    }

    private func jwks() throws -> Response {
        let keys = try signingKeys.map { key -> JSONValue in
            let primitives = try key.privateKey.publicKey.getKeyPrimitives()
            return [
                "kty": "RSA", "use": "sig", "kid": .string(key.id), "endorsements": ["msteams"],
                "n": .string(Self.base64URL(primitives.modulus)),
                "e": .string(Self.base64URL(primitives.publicExponent)),
            ]
        }
        return json(["keys": .array(keys)])
    }

    private func connector(
        _ request: Request, _ context: BasicRequestContext, activity id: String?
    ) async throws -> Response {
        let method = request.method == .put ? "PUT" : "POST"
        let path = request.uri.path
        let conversation = (context.parameters.get("conversation") ?? "").removingPercentEncoding ?? ""
        let authorized = state.withLock { $0.issued.contains(Self.bearer(request) ?? "") }
        guard authorized else {
            return record(method, path, json(["error": ["code": "Unauthorized"]], status: .unauthorized))
        }
        if let fault = takeFault() {
            var headers = HTTPFields()
            if let retryAfter = fault.retryAfter { headers[.retryAfter] = "\(retryAfter)" }
            return record(
                method, path,
                Response(
                    status: .init(code: fault.status), headers: headers,
                    body: .init(byteBuffer: ByteBuffer(string: "{}"))))
        }
        let data = try await request.body.collect(upTo: 1 << 20)
        guard let body = try? KubeJSON.decode(JSONValue.self, from: Data(buffer: data)) else {
            return record(method, path, json(["error": ["code": "BadSyntax"]], status: .badRequest))
        }
        let activityID = id?.removingPercentEncoding
        let answer = state.withLock { state -> JSONValue? in
            if method == "PUT" {
                guard
                    let index = state.activities.firstIndex(where: {
                        $0.id == activityID && $0.conversation == conversation
                    })
                else { return nil }
                state.activities[index].body = body
                state.activities[index].updates += 1
                return ["id": .string(state.activities[index].id)]
            }
            state.sequence += 1
            let newID = "1:\(state.sequence)"
            state.activities.append(
                Activity(id: newID, conversation: conversation, body: body, replyToID: activityID, updates: 0))
            return ["id": .string(newID)]
        }
        guard let answer else { return record(method, path, json(["error": ["code": "NotFound"]], status: .notFound)) }
        return record(method, path, json(answer, status: method == "PUT" ? .ok : .created))
    }

    private func workflow(_ request: Request) async throws -> Response {
        let data = try await request.body.collect(upTo: 1 << 20)
        guard let body = try? KubeJSON.decode(JSONValue.self, from: Data(buffer: data)), body["type"] == "message"
        else { return record("POST", request.uri.path, json(["error": "BadRequest"], status: .badRequest)) }
        state.withLock { $0.workflowPosts.append(body) }
        return record("POST", request.uri.path, Response(status: .accepted))
    }

    private func member(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let path = request.uri.path
        guard state.withLock({ $0.issued.contains(Self.bearer(request) ?? "") }) else {
            return record("GET", path, json(["error": ["code": "Unauthorized"]], status: .unauthorized))
        }
        let id = (context.parameters.get("member") ?? "").removingPercentEncoding ?? ""
        guard let user = users.first(where: { $0.id == id }) else {
            return record("GET", path, json(["error": ["code": "MemberNotFoundInConversation"]], status: .notFound))
        }
        var member: [String: JSONValue] = [
            "id": .string(user.id), "objectId": .string(user.aadObjectID), "name": .string(user.name),
            "tenantId": .string(tenantID), "userRole": "user",
        ]
        if let email = user.email {
            member["email"] = .string(email)
            member["userPrincipalName"] = .string(email)
        }
        return record("GET", path, json(.object(member)))
    }

    // MARK: Helpers

    private func takeFault() -> (status: Int, retryAfter: Int?)? {
        state.withLock { state in
            guard !state.faults.isEmpty else { return nil }
            state.faults[0].remaining -= 1
            let fault = state.faults[0]
            if fault.remaining <= 0 { state.faults.removeFirst() }
            return (fault.status, fault.retryAfter)
        }
    }

    private func record(_ method: String, _ path: String, _ response: Response) -> Response {
        let call = Call(method: method, path: path, status: Int(response.status.code), at: .now)
        state.withLock { $0.calls.append(call) }
        return response
    }

    func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        let data = (try? KubeJSON.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private static func bearer(_ request: Request) -> String? {
        guard let value = request.headers[.authorization], value.hasPrefix("Bearer ") else { return nil }
        return String(value.dropFirst(7))
    }

    static func base64URL(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    final class Box: Sendable {
        private let value = Mutex<FakeTeamsServer?>(nil)
        var server: FakeTeamsServer? { value.withLock { $0 } }
        func set(_ server: FakeTeamsServer) { value.withLock { $0 = server } }
    }
}

extension JSONValue {
    var teamsItems: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
