import AirlockChat
import Hummingbird
import Logging
import NIOCore

/// The chat callback listener, on its own port (put it behind the cluster's ingress TLS; it
/// serves nothing else): `POST /slack/interactions` for Slack's interactivity requests and
/// `GET /healthz`.
///
/// The raw body goes to `slack` byte for byte (the signature covers it exactly), with the
/// headers; its answer is sent as is.
public enum ChatServer {
    /// Where Slack posts interactions (the Slack app's interactivity Request URL).
    public static let slackInteractionsPath = "/slack/interactions"

    /// Builds the Hummingbird application; run it as a Service in the ServiceGroup.
    public static func application(
        host: String = "0.0.0.0", port: Int,
        slack: @escaping @Sendable (_ body: [UInt8], _ headers: [String: String]) async -> SlackHTTPAnswer,
        onListening: (@Sendable (Int) -> Void)? = nil, logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        router.post(RouterPath(stringLiteral: slackInteractionsPath)) { request, _ -> Response in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: SlackInteractionHandler.maxBodyBytes)
            } catch {
                return Response(status: .contentTooLarge)
            }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let answer = await slack(Array(body.readableBytesView), headers)
            var fields = HTTPFields()
            if let type = answer.contentType { fields[.contentType] = type }
            return Response(
                status: HTTPResponse.Status(code: answer.status), headers: fields,
                body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "airlock-chat"),
            onServerRunning: { channel in onListening?(channel.localAddress?.port ?? port) }, logger: logger)
    }
}
