import NIOCore
import NIOHTTP1

/// One request on a keep-alive HTTP/1.1 connection and its whole answer: the head, body and
/// end are written with one flush, and the answer is collected into one buffer. A connection
/// carries one exchange at a time; the transport hands it out again only once it is answered.
final class HTTP1AnswerHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTP1Exchange
    typealias OutboundOut = HTTPClientRequestPart

    private var answer: EventLoopPromise<HTTP1Answer>?
    private var timeout: Scheduled<Void>?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    private var maxBodyBytes = 0

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard answer == nil else {
            exchange.answer.fail(HTTP1TransportError.busy)
            promise?.fail(HTTP1TransportError.busy)
            return
        }
        answer = exchange.answer
        maxBodyBytes = exchange.maxBodyBytes
        timeout = context.eventLoop.assumeIsolated().scheduleTask(in: exchange.timeout) { [self] in
            fail(HTTP1TransportError.timedOut, context: context)
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard answer != nil else {
            // Nothing was asked: whatever this is, the connection cannot be trusted any more.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let received):
            // An informational answer (1xx) precedes the real one.
            if received.status.code >= 200 { head = received }
        case .body(var part):
            guard head != nil else { return }
            if (body?.readableBytes ?? 0) + part.readableBytes > maxBodyBytes {
                fail(HTTP1TransportError.answerTooLarge(maxBodyBytes), context: context)
            } else if body == nil {
                body = part
            } else {
                body?.writeBuffer(&part)
            }
        case .end:
            guard let head, let answer else { return }
            let keepAlive = head.isKeepAlive
            let received = HTTP1Answer(
                status: Int(head.status.code), headers: head.headers,
                body: body ?? context.channel.allocator.buffer(capacity: 0), keepAlive: keepAlive)
            reset()
            if !keepAlive { context.close(promise: nil) }
            answer.succeed(received)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(HTTP1TransportError.connectionClosed(answerStarted: head != nil), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    /// Fails the exchange at once, then closes the connection (with TLS, the close can wait
    /// seconds for the peer's close_notify).
    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        let pending = answer
        reset()
        pending?.fail(error)
        context.close(promise: nil)
    }

    private func reset() {
        timeout?.cancel()
        timeout = nil
        answer = nil
        head = nil
        body = nil
    }
}

/// A request for ``HTTP1AnswerHandler``: what to write, how long the answer may take and how
/// large it may be, and where it goes.
struct HTTP1Exchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    var timeout: TimeAmount
    var maxBodyBytes: Int
    var answer: EventLoopPromise<HTTP1Answer>
}

/// A whole answer.
struct HTTP1Answer: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer
    /// Whether the connection may carry another request.
    var keepAlive: Bool
}

enum HTTP1TransportError: Error, CustomStringConvertible, Equatable {
    case timedOut
    case connectionClosed(answerStarted: Bool)
    case answerTooLarge(Int)
    case busy
    case shutDown

    var description: String {
        switch self {
        case .timedOut: "no answer in time"
        case .connectionClosed(let started): started ? "connection closed mid-answer" : "connection closed"
        case .answerTooLarge(let limit): "answer larger than \(limit) bytes"
        case .busy: "connection busy"
        case .shutDown: "client shut down"
        }
    }
}
