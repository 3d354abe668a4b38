import Foundation
import Hummingbird
import HummingbirdTesting
import KubeCore
import Synchronization
import Testing

@testable import KubeClient

/// A clock whose time moves only when the test says so.
final class StepClock: Clock, @unchecked Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }
    private let current = Mutex(Instant(offset: .zero))
    var now: Instant { current.withLock { $0 } }
    var minimumResolution: Duration { .nanoseconds(1) }
    func advance(_ duration: Duration) { current.withLock { $0 = $0.advanced(by: duration) } }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {}
}

@Suite struct RateLimiterTests {
    @Test func burstThenQPS() async {
        let clock = StepClock()
        let limiter = RateLimiter(qps: 10, burst: 3, clock: clock)
        for _ in 0..<3 { #expect(await limiter.reserve() == .zero) }
        #expect(await limiter.reserve() == .milliseconds(100))
        #expect(await limiter.reserve() == .milliseconds(200))
        clock.advance(.seconds(1))
        // 10 tokens accrued, 2 owed, capped at the burst of 3 → 3 - ... one free now.
        #expect(await limiter.reserve() == .zero)
    }

    @Test func refillIsCappedAtBurst() async {
        let clock = StepClock()
        let limiter = RateLimiter(qps: 1, burst: 2, clock: clock)
        clock.advance(.seconds(100))
        #expect(await limiter.reserve() == .zero)
        #expect(await limiter.reserve() == .zero)
        #expect(await limiter.reserve() == .seconds(1))
    }
}

@Suite struct LineSplitterTests {
    @Test func splitsAcrossChunks() {
        var splitter = LineSplitter()
        splitter.append(Array("{\"a\":1}\n{\"b\"".utf8))
        #expect(splitter.nextLine() == Array("{\"a\":1}".utf8))
        #expect(splitter.nextLine() == nil)
        splitter.append(Array(":2}\n\n{\"c\":3}".utf8))
        #expect(splitter.nextLine() == Array("{\"b\":2}".utf8))
        #expect(splitter.nextLine() == [])
        #expect(splitter.nextLine() == nil)
        #expect(splitter.remainder() == Array("{\"c\":3}".utf8))
    }
}

@Suite struct WatchFrameTests {
    @Test func decodesEventTypes() throws {
        let added = try WatchFrameDecoder<ConfigMap>.decode(
            Data(#"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}"#.utf8), url: "u")
        guard case .added(let map) = added else { Issue.record("expected ADDED"); return }
        #expect(map.metadata.name == "a")
        #expect(added.resourceVersion == "5")
        let bookmark = try WatchFrameDecoder<ConfigMap>.decode(
            Data(#"{"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"9"}}}"#.utf8),
            url: "u")
        guard case .bookmark(let rv) = bookmark else { Issue.record("expected BOOKMARK"); return }
        #expect(rv == "9")
    }

    /// A resource the hand-written reader reads, which marks what it read.
    struct Readable: KubeResource, JSONReadable, Equatable {
        static let group = "", version = "v1", kind = "Readable", plural = "readables"
        static let scope = ResourceScope.namespaced
        var apiVersion: String?
        var kind: String?
        var metadata: ObjectMeta
        var viaReader = false

        enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata }

        init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
            var metadata: ObjectMeta?
            try reader.members { reader, field throws(JSONReader.Unexpected) in
                switch field {
                case "metadata": try metadata.once(reader.read())
                default: try reader.skip(field)
                }
            }
            guard let metadata else { throw JSONReader.Unexpected() }
            self.metadata = metadata
            viaReader = true
        }
    }

    @Test func objectFramesOfAReadableTypeAreReadByHand() throws {
        let frames = [
            #"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}"#,
            #"{"object":{"metadata":{"name":"a","resourceVersion":"6"}},"type":"MODIFIED"}"#,
            #" {"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"7"},"extra":[1]}} "#,
        ]
        for (frame, version) in zip(frames, ["5", "6", "7"]) {
            let event = try WatchFrameDecoder<Readable>.decode(Data(frame.utf8), url: "u")
            #expect(event.object?.viaReader == true)
            #expect(event.resourceVersion == version)
        }
        guard case .deleted = try WatchFrameDecoder<Readable>.decode(Data(frames[2].utf8), url: "u") else {
            Issue.record("expected DELETED")
            return
        }
        // Bookmarks, errors, unknown types and what the reader refuses take the Codable path.
        let bookmark = try WatchFrameDecoder<Readable>.decode(
            Data(#"{"type":"BOOKMARK","object":{"kind":"Readable","metadata":{"resourceVersion":"9"}}}"#.utf8), url: "u"
        )
        #expect(bookmark.resourceVersion == "9" && bookmark.object == nil)
        let twice = try WatchFrameDecoder<Readable>.decode(
            Data(#"{"type":"ADDED","type":"ADDED","object":{"metadata":{"name":"b"}}}"#.utf8), url: "u")
        #expect(twice.object?.viaReader == false && twice.object?.metadata.name == "b")
        #expect(throws: KubernetesError.self) {
            try WatchFrameDecoder<Readable>.decode(
                Data(#"{"type":"SOMETHING","object":{"metadata":{"name":"b"}}}"#.utf8), url: "u")
        }
        let error = #expect(throws: KubernetesError.self) {
            try WatchFrameDecoder<Readable>.decode(
                Data(
                    #"{"type":"ERROR","object":{"kind":"Status","status":"Failure","code":410,"reason":"Expired"}}"#
                        .utf8),
                url: "u")
        }
        #expect(error?.isGone == true)
    }

    @Test func errorFrameIsGone() {
        let frame =
            #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (50)","reason":"Expired","code":410}}"#
        let error = #expect(throws: KubernetesError.self) {
            try WatchFrameDecoder<ConfigMap>.decode(Data(frame.utf8), url: "u")
        }
        #expect(error?.isGone == true)
        #expect(error?.message == "too old resource version: 1 (50)")
    }

    @Test func garbageFrameNamesURL() {
        let error = #expect(throws: KubernetesError.self) {
            try WatchFrameDecoder<ConfigMap>.decode(Data("<html>".utf8), url: "https://k/api/v1/configmaps?watch=1")
        }
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains("https://k/api/v1/configmaps?watch=1") == true)
    }
}

@Suite struct ErrorTests {
    @Test func predicates() {
        #expect(KubernetesError(status: Status(message: "x", reason: "NotFound", code: 404)).isNotFound)
        #expect(KubernetesError(status: Status(message: "x", reason: "AlreadyExists", code: 409)).isAlreadyExists)
        #expect(!KubernetesError(status: Status(message: "x", reason: "AlreadyExists", code: 409)).isConflict)
        #expect(KubernetesError(status: Status(message: "x", reason: "Conflict", code: 409)).isConflict)
        #expect(KubernetesError(status: Status(message: "x", reason: "Expired", code: 410)).isGone)
        #expect(KubernetesError(status: Status(message: "x", reason: "Forbidden", code: 403)).isForbidden)
        #expect(KubernetesError(status: Status(message: "x", reason: "Invalid", code: 422)).isInvalid)
        let error = KubernetesError(
            status: Status(
                message: "bad", reason: "Invalid", code: 422,
                details: .init(causes: [
                    .init(reason: "FieldValueInvalid", message: "must be positive", field: "spec.duration")
                ])))
        #expect(error.description == "Kubernetes API error 422 Invalid: bad (spec.duration: must be positive)")
    }
}

/// Transport behaviour against an in-process HTTP server on loopback.
@Suite struct TransportTests {
    func client(port: Int, token: String = "t0ken") throws -> KubernetesClient {
        try KubernetesClient(
            configuration: ClientConfiguration(
                server: URL(string: "http://127.0.0.1:\(port)")!, credentials: .token(token), maxRetries: 2))
    }

    @Test func aMetadataListDecodesOnlyEachItemsMetadataAndTheContinueToken() async throws {
        let router = Router()
        router.get("/apis/rbac.authorization.k8s.io/v1/rolebindings") { request, _ -> Response in
            #expect(request.uri.queryParameters["limit"] == "2")
            #expect(request.uri.queryParameters["labelSelector"] == "a=b")
            let body =
                request.uri.queryParameters["continue"] == nil
                ? #"{"metadata":{"continue":"next"},"items":[{"metadata":{"name":"one","namespace":"x","uid":"u1"},"#
                    + #""roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"r"},"subjects":"#
                    + #"[{"kind":"User","name":"alice"}]},{"metadata":{"name":"two","namespace":"y"},"unread":[1,2]}]}"#
                : #"{"metadata":{}}"#
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: body)))
        }
        let app = Application(router: router)
        try await app.test(.live) { server in
            let client = try client(port: server.port!)
            let first = try await client.listMetadata(
                RoleBinding.self, options: ListOptions(labelSelector: "a=b", limit: 2))
            #expect(first.items.map(\.name) == ["one", "two"])
            #expect(first.items.map(\.uid) == ["u1", nil])
            #expect(first.metadata.continue == "next")
            let last = try await client.listMetadata(
                RoleBinding.self, options: ListOptions(labelSelector: "a=b", limit: 2, continue: "next"))
            #expect(last.items.isEmpty && last.metadata.continue == nil)
            try await client.shutdown()
        }
    }

    @Test func retriesIdempotentCallsOn429HonouringRetryAfter() async throws {
        let calls = Atomic<Int>(0)
        let router = Router()
        router.get("/api/v1/namespaces/ns/configmaps/c") { request, _ -> Response in
            let n = calls.add(1, ordering: .relaxed).newValue
            #expect(request.headers[.authorization] == "Bearer t0ken")
            if n == 1 {
                return Response(
                    status: .tooManyRequests, headers: [.retryAfter: "1", .contentType: "application/json"],
                    body: .init(
                        byteBuffer: .init(
                            string:
                                #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"TooManyRequests","code":429,"message":"slow down"}"#
                        )))
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(string: #"{"metadata":{"name":"c","namespace":"ns"},"data":{"k":"v"}}"#)))
        }
        router.post("/api/v1/namespaces/ns/configmaps") { _, _ -> Response in
            calls.add(100, ordering: .relaxed)
            return Response(status: .tooManyRequests, headers: [.retryAfter: "1"])
        }
        let app = Application(router: router)
        try await app.test(.live) { server in
            let client = try client(port: server.port!)
            let map = try await client.get(ConfigMap.self, name: "c", namespace: "ns")
            #expect(map.data == ["k": "v"])
            #expect(calls.load(ordering: .relaxed) == 2)
            // A create is not idempotent: no retry.
            let error = await #expect(throws: KubernetesError.self) {
                try await client.create(ConfigMap(metadata: ObjectMeta(name: "x")), namespace: "ns")
            }
            #expect(error?.isTooManyRequests == true)
            #expect(error?.retryAfterSeconds == 1)
            #expect(calls.load(ordering: .relaxed) == 102)
            try await client.shutdown()
        }
    }

    @Test func nonJSONAnswerNamesURL() async throws {
        let router = Router()
        router.get("/api/v1/namespaces/ns/configmaps/c") { _, _ in "<html>proxy error</html>" }
        router.get("/api/v1/namespaces/ns/configmaps/d") { _, _ -> Response in
            Response(status: .badGateway, body: .init(byteBuffer: .init(string: "upstream down")))
        }
        try await Application(router: router).test(.live) { server in
            let client = try client(port: server.port!)
            let decoding = await #expect(throws: KubernetesError.self) {
                try await client.get(ConfigMap.self, name: "c", namespace: "ns")
            }
            #expect(decoding?.kind == .decoding)
            #expect(
                decoding?.message.contains("http://127.0.0.1:\(server.port!)/api/v1/namespaces/ns/configmaps/c") == true
            )
            #expect(decoding?.message.contains("<html>proxy error") == true)
            let api = await #expect(throws: KubernetesError.self) {
                try await client.get(ConfigMap.self, name: "d", namespace: "ns")
            }
            #expect(api?.code == 502)
            #expect(api?.message.contains("upstream down") == true)
            #expect(api?.description.contains("t0ken") == false)
            try await client.shutdown()
        }
    }

    @Test func unreachableServerNamesURL() async throws {
        let client = try client(port: 1)
        let error = await #expect(throws: KubernetesError.self) {
            try await client.get(ConfigMap.self, name: "c", namespace: "ns")
        }
        #expect(error?.kind == .transport)
        #expect(error?.message.hasPrefix("GET http://127.0.0.1:1/api/v1/namespaces/ns/configmaps/c") == true)
        try await client.shutdown()
    }

    @Test func unauthorizedRefreshesTokenFileOnce() async throws {
        let scratch = try Scratch()
        let tokenPath = try scratch.write("token", "old")
        let router = Router()
        router.get("/api/v1/namespaces/ns/configmaps/c") { request, _ -> Response in
            guard request.headers[.authorization] == "Bearer new" else {
                try? "new".write(toFile: tokenPath, atomically: true, encoding: .utf8)
                return Response(status: .unauthorized)
            }
            return Response(status: .ok, body: .init(byteBuffer: .init(string: #"{"metadata":{"name":"c"}}"#)))
        }
        try await Application(router: router).test(.live) { server in
            let client = try KubernetesClient(
                configuration: ClientConfiguration(
                    server: URL(string: "http://127.0.0.1:\(server.port!)")!,
                    credentials: .tokenFile(path: tokenPath, refreshInterval: .seconds(3600))))
            #expect(try await client.get(ConfigMap.self, name: "c", namespace: "ns").metadata.name == "c")
            try await client.shutdown()
        }
    }
}
