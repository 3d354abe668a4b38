import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy on `127.0.0.1` in front of a server: clients connect to ``port`` and reach
/// the target; ``cutAll()`` closes every open connection at once — what a broken network
/// path or a load balancer does to long-lived watch streams while the server stays up; with
/// ``stall(_:)`` the path swallows everything (a server that accepts and never answers). TLS
/// passes through untouched (the target's certificate must be valid for 127.0.0.1).
public final class TCPProxy: Sendable {
    /// The port clients connect to.
    public let port: Int
    private let listener: any Channel
    private let connections: ConnectionTable
    private let cuts = Mutex(0)

    private init(port: Int, listener: any Channel, connections: ConnectionTable) {
        self.port = port
        self.listener = listener
        self.connections = connections
    }

    /// Listens on a free loopback port, forwarding to `127.0.0.1:targetPort`.
    public static func start(to targetPort: Int) async throws -> TCPProxy {
        let connections = ConnectionTable()
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                connections.add(inbound)
                inbound.closeFuture.whenComplete { _ in connections.remove(inbound) }
                return ClientBootstrap(group: inbound.eventLoop).connect(host: "127.0.0.1", port: targetPort)
                    .flatMapThrowing { outbound in
                        connections.add(outbound)
                        outbound.closeFuture.whenComplete { _ in connections.remove(outbound) }
                        let (first, second) = GlueHandler.matchedPair(stalled: connections)
                        try inbound.pipeline.syncOperations.addHandler(first)
                        try outbound.pipeline.syncOperations.addHandler(second)
                        inbound.setOption(.autoRead, value: true).whenComplete { _ in }
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TCPProxy(port: listener.localAddress?.port ?? 0, listener: listener, connections: connections)
    }

    /// Closes every connection open now (both sides); returns how many were open.
    @discardableResult
    public func cutAll() -> Int {
        let channels = connections.all
        for channel in channels { channel.close(promise: nil) }
        cuts.withLock { $0 += 1 }
        return channels.count
    }

    /// While stalled, what either side sends is dropped: requests hang until their timeout,
    /// and connections stalled part-way are broken for good.
    public func stall(_ stalled: Bool) { connections.stalled.withLock { $0 = stalled } }

    /// How many times ``cutAll()`` ran.
    public var cutCount: Int { cuts.withLock { $0 } }

    /// Stops listening and closes every connection.
    public func stop() async {
        cutAll()
        try? await listener.close()
    }
}

/// The connections a proxy holds (both sides of each).
final class ConnectionTable: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])
    let stalled = Mutex(false)
    var all: [any Channel] { channels.withLock { Array($0.values) } }
    func add(_ channel: any Channel) { channels.withLock { $0[ObjectIdentifier(channel)] = channel } }
    func remove(_ channel: any Channel) { channels.withLock { $0[ObjectIdentifier(channel)] = nil } }
}

/// Joins two channels: what one reads, the other writes; a close or half-close on one side
/// reaches the other (after SwiftNIO's own example).
final class GlueHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    /// Whose `stalled` flag drops what is read.
    private let table: ConnectionTable?

    private init(table: ConnectionTable?) { self.table = table }

    static func matchedPair(stalled table: ConnectionTable? = nil) -> (GlueHandler, GlueHandler) {
        let first = GlueHandler(table: table)
        let second = GlueHandler(table: table)
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard table?.stalled.withLock({ $0 }) != true else { return }
        partner?.context?.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) { partner?.context?.flush() }

    func channelInactive(context: ChannelHandlerContext) { partner?.context?.close(promise: nil) }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            partner?.context?.close(mode: .output, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { partner?.context?.close(promise: nil) }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partner?.context?.channel.isWritable ?? false {
            context.read()
        } else {
            pendingRead = true
        }
    }

    private func partnerBecameWritable() {
        guard pendingRead else { return }
        pendingRead = false
        context?.read()
    }
}
