import Foundation
import KubeCore
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

@testable import KubeClient

/// A loopback HTTP/1.1 server whose every answer the test scripts, counting the connections
/// it accepts.
final class ScriptedHTTPServer: Sendable {
    enum Reply: Sendable {
        /// Answers; `close` then closes the connection without saying so in the answer.
        case answer(status: Int, body: String, connectionClose: Bool = false, close: Bool = false)
        /// Never answers.
        case hang
    }

    let accepted = Atomic<Int>(0)
    let requests = Mutex<[HTTPRequestHead]>([])
    private let script: @Sendable (Int, HTTPRequestHead) -> Reply
    private let channel: Mutex<(any Channel)?> = Mutex(nil)

    init(script: @escaping @Sendable (Int, HTTPRequestHead) -> Reply) { self.script = script }

    var port: Int { channel.withLock { $0?.localAddress?.port ?? 0 } }

    func start() async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { [self] child in
                accepted.add(1, ordering: .relaxed)
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(Handler(server: self))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        channel.withLock { $0 = listener }
    }

    func stop() async throws {
        try await channel.withLock { $0 }?.close()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let server: ScriptedHTTPServer
        var head: HTTPRequestHead?
        init(server: ScriptedHTTPServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let received): head = received
            case .body: break
            case .end:
                guard let head else { return }
                let index = server.requests.withLock { requests in
                    requests.append(head)
                    return requests.count
                }
                guard case .answer(let status, let body, let connectionClose, let close) = server.script(index, head)
                else { return }
                var headers: HTTPHeaders = ["Content-Length": String(body.utf8.count)]
                if connectionClose { headers.add(name: "Connection", value: "close") }
                context.write(
                    wrapOutboundOut(
                        .head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers))),
                    promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
                let done = context.eventLoop.makePromise(of: Void.self)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
                if close || connectionClose {
                    done.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                }
            }
        }
    }
}

@Suite struct HTTP1TransportTests {
    static let object = #"{"metadata":{"name":"c","namespace":"ns"}}"#

    func client(_ server: ScriptedHTTPServer, timeout: Duration = .seconds(30)) throws -> KubernetesClient {
        try KubernetesClient(
            configuration: ClientConfiguration(
                server: URL(string: "http://127.0.0.1:\(server.port)")!, credentials: .token("t0ken"),
                requestTimeout: timeout))
    }

    @Test func callsInTurnShareOneConnectionAndSendTheHeadersTheAPIServerNeeds() async throws {
        let server = ScriptedHTTPServer { _, _ in .answer(status: 200, body: Self.object) }
        try await server.start()
        let client = try client(server)
        for _ in 0..<3 {
            #expect(try await client.get(ConfigMap.self, name: "c", namespace: "ns").metadata.name == "c")
        }
        _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "c")), namespace: "ns")
        #expect(server.accepted.load(ordering: .relaxed) == 1)
        let heads = server.requests.withLock { $0 }
        #expect(heads.count == 4)
        #expect(heads[0].uri == "/api/v1/namespaces/ns/configmaps/c")
        #expect(heads[0].headers["Host"] == ["127.0.0.1:\(server.port)"])
        #expect(heads[0].headers["Authorization"] == ["Bearer t0ken"])
        #expect(heads[3].method == .POST)
        #expect(heads[3].headers["Content-Type"] == ["application/json"])
        #expect(heads[3].headers["Content-Length"].first.flatMap(Int.init) ?? 0 > 0)
        try await client.shutdown()
        try await server.stop()
    }

    @Test func aConnectionTheServerClosedIsNotReused() async throws {
        // Every answer closes its connection, saying so only on odd calls.
        let server = ScriptedHTTPServer { index, _ in
            .answer(status: 200, body: Self.object, connectionClose: index % 2 == 1, close: true)
        }
        try await server.start()
        let client = try client(server)
        for _ in 0..<4 {
            #expect(try await client.get(ConfigMap.self, name: "c", namespace: "ns").metadata.name == "c")
        }
        #expect(server.accepted.load(ordering: .relaxed) == 4)
        try await client.shutdown()
        try await server.stop()
    }

    @Test func anUnansweredCallTimesOutAndItsConnectionIsDropped() async throws {
        let server = ScriptedHTTPServer { index, _ in index == 1 ? .hang : .answer(status: 200, body: Self.object) }
        try await server.start()
        let client = try client(server)
        // Only the hung call has the short timeout: the next one, on a new connection, has the
        // client's 30 s (with 300 ms for both, a loaded machine once failed the healthy call).
        let error = await #expect(throws: KubernetesError.self) {
            try await client.open(
                RequestBuilder<ConfigMap>().get(name: "c", namespace: "ns"), timeout: .milliseconds(300))
        }
        #expect(error?.kind == .transport)
        #expect(error?.message.contains("no answer in time") == true)
        #expect(try await client.get(ConfigMap.self, name: "c", namespace: "ns").metadata.name == "c")
        #expect(server.accepted.load(ordering: .relaxed) == 2)
        try await client.shutdown()
        try await server.stop()
    }

    @Test func aCancelledCallEndsWithCancellation() async throws {
        let server = ScriptedHTTPServer { _, _ in .hang }
        try await server.start()
        let client = try client(server)
        let call = Task { try await client.get(ConfigMap.self, name: "c", namespace: "ns") }
        let deadline = ContinuousClock.now + .seconds(10)
        while server.requests.withLock({ $0.isEmpty }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        try await client.shutdown()
        try await server.stop()
    }

    @Test func aServerWithoutAHostIsAConfigurationError() {
        let error = #expect(throws: KubernetesError.self) {
            try HTTP1Transport(
                server: URL(string: "https:///api")!, tls: .makeClientConfiguration(),
                group: MultiThreadedEventLoopGroup.singleton)
        }
        #expect(error?.kind == .configuration)
    }

    @Test func anAnswerLargerThanTheLimitFailsAndClosesTheConnection() async throws {
        let server = ScriptedHTTPServer { _, _ in .answer(status: 200, body: String(repeating: "x", count: 4096)) }
        try await server.start()
        let transport = try HTTP1Transport(
            server: URL(string: "http://127.0.0.1:\(server.port)")!, tls: .makeClientConfiguration(),
            group: MultiThreadedEventLoopGroup.singleton)
        let error = await #expect(throws: HTTP1TransportError.self) {
            try await transport.send(
                method: .GET, target: "/big", headers: [:], body: nil, timeout: .seconds(10), maxBodyBytes: 1024,
                idempotent: true)
        }
        #expect(error == .answerTooLarge(1024))
        let answer = try await transport.send(
            method: .GET, target: "/big", headers: [:], body: nil, timeout: .seconds(10), maxBodyBytes: 8192,
            idempotent: true)
        #expect(answer.body.readableBytes == 4096)
        #expect(server.accepted.load(ordering: .relaxed) == 2)
        transport.shutdown()
        await #expect(throws: HTTP1TransportError.shutDown) {
            try await transport.send(
                method: .GET, target: "/big", headers: [:], body: nil, timeout: .seconds(10), maxBodyBytes: 8192,
                idempotent: true)
        }
        try await server.stop()
    }
}
