import Hummingbird
import Logging
import Prometheus

/// The operations HTTP endpoint: `/metrics` (Prometheus text format), `/healthz` (the
/// process is alive) and `/readyz` (caches synced; standby replicas are ready too).
public enum OperationsServer {
    /// Builds the Hummingbird application; run it as a Service in the ServiceGroup.
    public static func application(
        host: String = "0.0.0.0", port: Int, registry: PrometheusCollectorRegistry,
        isReady: @escaping @Sendable () async -> Bool, logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        router.get("/readyz") { _, _ -> Response in
            guard await isReady() else {
                return Response(
                    status: .serviceUnavailable, body: .init(byteBuffer: .init(string: "caches not synced")))
            }
            return Response(status: .ok, body: .init(byteBuffer: .init(string: "ok")))
        }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: .init(bytes: registry.emitToBuffer())))
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "airlock"),
            logger: logger)
    }
}
