import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The API server's unary calls over keep-alive HTTP/1.1 connections: one request at a time
/// per connection, head and body written with one flush, the answer collected whole.
/// Watches, which stream, stay on AsyncHTTPClient.
///
/// Idle connections are kept (at most ``maxIdle``, each for at most ``idleTimeout``) and
/// reused. A call that finds its reused connection closed by the server before any answer
/// came is sent once more on a new connection when it is idempotent; any other failure is
/// the caller's.
final class HTTP1Transport: Sendable {
    static let maxIdle = 32
    /// Kept well under the API server's own idle timeout (90 s), so that a call rarely meets
    /// a connection the server is closing.
    static let idleTimeout: TimeAmount = .seconds(45)

    private struct Idle {
        var channel: any Channel
        var since: NIODeadline
    }

    private struct Pool {
        var idle: [Idle] = []
        var sweepScheduled = false
        var isShutDown = false
    }

    private let group: any EventLoopGroup
    private let host: String
    private let port: Int
    /// The path the server's URL carries before the API paths (usually empty).
    private let basePath: String
    private let hostHeader: String
    private let tls: NIOSSLContext?
    private let pool = Mutex(Pool())

    /// - Parameter server: `https://host[:port][/path]`, or `http://` for a plain connection.
    init(server: URL, tls: TLSConfiguration, group: any EventLoopGroup) throws {
        guard let host = server.host, !host.isEmpty else {
            throw KubernetesError.configuration("server \(server.absoluteString): no host")
        }
        let secure = server.scheme?.lowercased() != "http"
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let bracketed = bare.contains(":") ? "[\(bare)]" : bare
        self.group = group
        self.host = bare
        self.port = server.port ?? (secure ? 443 : 80)
        self.basePath = server.path.hasSuffix("/") ? String(server.path.dropLast()) : server.path
        self.hostHeader = server.port.map { "\(bracketed):\($0)" } ?? bracketed
        do {
            self.tls = secure ? try NIOSSLContext(configuration: tls) : nil
        } catch {
            // A client key that does not match its certificate, say; never echo key material.
            throw KubernetesError.configuration("TLS settings for \(server.absoluteString) are unusable: \(error)")
        }
    }

    /// Sends one request and returns its whole answer.
    func send(
        method: HTTPMethod, target: String, headers: HTTPHeaders, body: ByteBuffer?, timeout: Duration,
        maxBodyBytes: Int, idempotent: Bool
    ) async throws -> HTTP1Answer {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: basePath + target, headers: headers)
        head.headers.replaceOrAdd(name: "Host", value: hostHeader)
        head.headers.replaceOrAdd(name: "Content-Length", value: String(body?.readableBytes ?? 0))
        let deadline = NIODeadline.now() + TimeAmount.nanoseconds(Int64(timeout.seconds * 1e9))
        if let reused = try takeIdle() {
            do {
                return try await exchange(head, body, on: reused, deadline: deadline, maxBodyBytes: maxBodyBytes)
            } catch HTTP1TransportError.connectionClosed(answerStarted: false) where idempotent {
                // The server closed the idle connection as the request went out.
            }
        }
        let channel = try await connect(deadline: deadline)
        return try await exchange(head, body, on: channel, deadline: deadline, maxBodyBytes: maxBodyBytes)
    }

    /// Closes the idle connections; later calls fail.
    func shutdown() {
        let idle = pool.withLock { pool in
            pool.isShutDown = true
            defer { pool.idle.removeAll() }
            return pool.idle
        }
        for connection in idle { connection.channel.close(promise: nil) }
    }

    private func exchange(
        _ head: HTTPRequestHead, _ body: ByteBuffer?, on channel: any Channel, deadline: NIODeadline,
        maxBodyBytes: Int
    ) async throws -> HTTP1Answer {
        let promise = channel.eventLoop.makePromise(of: HTTP1Answer.self)
        let exchange = HTTP1Exchange(
            head: head, body: body, timeout: max(deadline - .now(), .zero), maxBodyBytes: maxBodyBytes,
            answer: promise)
        let answer = try await withTaskCancellationHandler {
            // A connection closed before the handler saw the request fails the write alone.
            let written = channel.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenFailure { _ in
                promise.fail(HTTP1TransportError.connectionClosed(answerStarted: false))
            }
            channel.writeAndFlush(exchange, promise: written)
            do {
                return try await promise.futureResult.get()
            } catch {
                if Task.isCancelled { throw CancellationError() }
                throw error
            }
        } onCancel: {
            // Not after the close: TLS waits up to seconds for the peer's close_notify first.
            promise.fail(CancellationError())
            channel.close(promise: nil)
        }
        if answer.keepAlive { putIdle(channel) }
        return answer
    }

    private func connect(deadline: NIODeadline) async throws -> any Channel {
        if pool.withLock({ $0.isShutDown }) { throw HTTP1TransportError.shutDown }
        let tls = tls
        let serverHostname = host.isIPAddress ? nil : host
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(max(deadline - .now(), .milliseconds(1)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                    }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(HTTP1AnswerHandler())
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        let connecting = bootstrap.connect(host: host, port: port)
        let connected = connecting.eventLoop.makePromise(of: (any Channel).self)
        connecting.cascade(to: connected)
        return try await withTaskCancellationHandler {
            try await connected.futureResult.get()
        } onCancel: {
            connected.fail(CancellationError())
            connecting.whenSuccess { $0.close(promise: nil) }
        }
    }

    /// An idle connection still open and not idle too long, if there is one; the others are
    /// closed on the way.
    private func takeIdle() throws -> (any Channel)? {
        let (channel, stale) = try pool.withLock { pool -> ((any Channel)?, [any Channel]) in
            if pool.isShutDown { throw HTTP1TransportError.shutDown }
            let now = NIODeadline.now()
            var stale: [any Channel] = []
            while let last = pool.idle.popLast() {
                if last.channel.isActive, now - last.since < Self.idleTimeout { return (last.channel, stale) }
                stale.append(last.channel)
            }
            return (nil, stale)
        }
        for channel in stale { channel.close(promise: nil) }
        return channel
    }

    private func putIdle(_ channel: any Channel) {
        let (kept, sweep) = pool.withLock { pool -> (Bool, Bool) in
            guard !pool.isShutDown, pool.idle.count < Self.maxIdle, channel.isActive else { return (false, false) }
            pool.idle.append(Idle(channel: channel, since: .now()))
            defer { pool.sweepScheduled = true }
            return (true, !pool.sweepScheduled)
        }
        if !kept { channel.close(promise: nil) }
        if sweep { scheduleSweep(on: channel.eventLoop) }
    }

    /// Closes the connections idle for ``idleTimeout`` (a call never takes one; this frees
    /// the sockets) — one timer at a time, while any are idle.
    private func scheduleSweep(on eventLoop: any EventLoop) {
        eventLoop.scheduleTask(in: .seconds(15)) { [self] in
            let (expired, again) = pool.withLock { pool -> ([any Channel], Bool) in
                let now = NIODeadline.now()
                let expired = pool.idle.filter { now - $0.since >= Self.idleTimeout }.map(\.channel)
                pool.idle.removeAll { now - $0.since >= Self.idleTimeout }
                pool.sweepScheduled = !pool.idle.isEmpty && !pool.isShutDown
                return (expired, pool.sweepScheduled)
            }
            for channel in expired { channel.close(promise: nil) }
            if again { scheduleSweep(on: eventLoop) }
        }
    }
}

extension String {
    /// Whether this is an IPv4 or IPv6 address (which TLS must not send as the server name).
    fileprivate var isIPAddress: Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, self, &v4) == 1 || inet_pton(AF_INET6, self, &v6) == 1
    }
}
