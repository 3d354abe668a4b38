import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOFoundationCompat

/// The HTTPS admission endpoint: `POST /mutate`, `POST /validate` (AdmissionReview JSON in
/// and out) and `GET /healthz`, served with TLS from a ``ServingCertificateStore`` (so a
/// renewed certificate is served without a restart).
public enum AdmissionWebhookServer {
    /// Largest AdmissionReview read: an object and its old version, each at most the API
    /// server's 3 MiB request limit.
    public static let maxBodyBytes = 8 * 1024 * 1024

    /// Builds the Hummingbird application; run it as a Service in the ServiceGroup.
    ///
    /// - Parameters:
    ///   - port: 0 picks a free port; `onListening` receives the port bound.
    public static func application(
        handler: AdmissionHandler, certificates: ServingCertificateStore, host: String = "0.0.0.0", port: Int = 9443,
        logger: Logger = Logger(label: "airlock.admission"),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        for webhook in AdmissionHandler.Webhook.allCases {
            let path = webhook == .mutating ? WebhookConfigurations.mutatePath : WebhookConfigurations.validatePath
            let metrics = AdmissionMetrics(webhook: webhook)
            router.post(RouterPath(path)) { request, context -> Response in
                let start = ContinuousClock.now
                let body = try await request.body.collect(upTo: maxBodyBytes)
                let answer = await handler.handle(Data(buffer: body), webhook: webhook)
                metrics.record(answer, since: start)
                log(answer, webhook: webhook, logger: context.logger)
                return Response(
                    status: HTTPResponse.Status(code: answer.status),
                    headers: [.contentType: "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(data: answer.body)))
            }
        }
        return Application(
            router: router, server: try .tls(.http1(), tlsConfiguration: certificates.serverTLSConfiguration()),
            configuration: .init(address: .hostname(host, port: port), serverName: "airlock-webhook"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    private static func log(_ answer: AdmissionHandler.HTTPAnswer, webhook: AdmissionHandler.Webhook, logger: Logger) {
        guard let response = answer.review.response else { return }
        if response.allowed {
            logger.debug("admitted", metadata: ["webhook": "\(webhook.rawValue)", "uid": "\(response.uid)"])
        } else {
            logger.info(
                "denied: \(response.status?.message ?? "")",
                metadata: [
                    "webhook": "\(webhook.rawValue)", "uid": "\(response.uid)",
                    "code": "\(response.status?.code ?? 0)",
                ])
        }
    }
}
