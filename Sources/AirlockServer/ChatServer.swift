import AirlockChat
import Hummingbird
import Logging
import NIOCore

/// The chat callback listener, on its own port (put it behind the cluster's ingress TLS; it
/// serves nothing else): `POST /slack/interactions` for Slack's interactivity requests,
/// `POST /teams/messages` for the Teams bot's activities (each only when configured) and
/// `GET /healthz`.
///
/// The raw body goes to `slack` (or `teams`) byte for byte (the signature covers it exactly),
/// with the headers; its answer is sent as is.
public enum ChatServer {
    /// Where Slack posts interactions (the Slack app's interactivity Request URL).
    public static let slackInteractionsPath = "/slack/interactions"
    /// Where the Bot Framework posts the bot's activities (the bot's messaging endpoint).
    public static let teamsMessagesPath = "/teams/messages"

    /// Builds the Hummingbird application; run it as a Service in the ServiceGroup.
    public static func application(
        host: String = "0.0.0.0", port: Int,
        slack: (@Sendable (_ body: [UInt8], _ headers: [String: String]) async -> SlackHTTPAnswer)? = nil,
        teams: (@Sendable (_ body: [UInt8], _ headers: [String: String]) async -> TeamsHTTPAnswer)? = nil,
        onListening: (@Sendable (Int) -> Void)? = nil, logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        if let slack {
            router.post(RouterPath(stringLiteral: slackInteractionsPath)) { request, _ -> Response in
                guard let (body, headers) = await read(request, upTo: SlackInteractionHandler.maxBodyBytes) else {
                    return Response(status: .contentTooLarge)
                }
                let answer = await slack(body, headers)
                return response(answer.status, answer.contentType, answer.body)
            }
        }
        if let teams {
            router.post(RouterPath(stringLiteral: teamsMessagesPath)) { request, _ -> Response in
                guard let (body, headers) = await read(request, upTo: TeamsInvokeHandler.maxBodyBytes) else {
                    return Response(status: .contentTooLarge)
                }
                let answer = await teams(body, headers)
                return response(answer.status, answer.contentType, answer.body)
            }
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "airlock-chat"),
            onServerRunning: { channel in onListening?(channel.localAddress?.port ?? port) }, logger: logger)
    }

    private static func read(_ request: Request, upTo limit: Int) async -> ([UInt8], [String: String])? {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch {
            return nil
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        return (Array(body.readableBytesView), headers)
    }

    private static func response(_ status: Int, _ contentType: String?, _ body: String) -> Response {
        var fields = HTTPFields()
        if let contentType { fields[.contentType] = contentType }
        return Response(
            status: HTTPResponse.Status(code: status), headers: fields,
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
