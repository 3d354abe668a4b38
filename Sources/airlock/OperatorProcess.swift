import AirlockAdmission
import AirlockController
import AirlockIdentity
import AirlockServer
import Foundation
import KubeClient
import KubeRuntime
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Synchronization

/// The whole operator process, wired in one place: signing key, admission webhook (with its
/// TLS), controllers, operations endpoint — as Services of one ServiceGroup that shuts down
/// gracefully on SIGTERM/SIGINT.
struct OperatorProcess {
    let client: KubernetesClient
    let options: ControllerOptions
    let logger: Logger
    /// Slack and event webhooks (off unless configured).
    var chat = ChatOptions.off
    /// Where the webhook certificate must be valid besides the Service DNS names.
    var webhookPolicy: WebhookTLSPolicy?

    /// Bootstraps metrics once per process and returns the Prometheus registry.
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Builds everything and runs until shutdown. `onReady` runs once the webhook listens and
    /// the caches have synced.
    /// `onReady` gets a function that shuts the process down gracefully.
    func run(
        extraServices: [any Service] = [],
        onReady: @escaping @Sendable (_ shutDown: @escaping @Sendable () async -> Void) async -> Void = { _ in }
    ) async throws {
        let registry = Self.registry
        let signer = try await SigningKeySecret.loadOrCreate(client: client, namespace: options.namespace)
        logger.info("identity signing key loaded from \(options.namespace)/\(SigningKeySecret.defaultName)")

        var services: [any Service] = []
        let certificates: ServingCertificateStore
        if let directory = options.webhookCertDir {
            let files = try MountedCertificateFiles(
                certificatePath: directory + "/tls.crt", privateKeyPath: directory + "/tls.key", logger: logger)
            certificates = files.store
            services.append(files)
        } else {
            let manager = WebhookCertificateManager(
                client: client,
                configuration: .init(
                    namespace: options.namespace,
                    policy: webhookPolicy
                        ?? .service(
                            namespace: options.namespace, extraDNSNames: options.webhookDNSName,
                            ipAddresses: options.webhookIP)),
                logger: logger)
            certificates = try await manager.bootstrap()
            services.append(manager)
        }
        let handler = AdmissionHandler(
            signer: signer, controllerUsername: options.username,
            lookUpRequest: AdmissionHandler.kubernetesLookup(client: client))
        let (listening, listeningContinuation) = AsyncStream.makeStream(of: Int.self)
        services.append(
            try AdmissionWebhookServer.application(
                handler: handler, certificates: certificates, port: options.webhookPort, logger: logger,
                onListening: { port in
                    listeningContinuation.yield(port)
                    listeningContinuation.finish()
                }))

        var configuration = OperatorConfiguration(
            controllerNamespace: options.namespace, controllerUsername: options.username, policy: options.policy,
            credentialEndpoint: CredentialEndpoint(
                server: options.credentialServer ?? client.configuration.server.absoluteString,
                certificateAuthorityPEM: client.configuration.tls.certificateAuthorityPEM),
            sweepInterval: options.sweepInterval.duration, workers: options.workers,
            leaderElection: options.leaderElection,
            auditFile: options.auditFile, requestNamespace: options.watchNamespace,
            webhookIntegrity: options.expectedWebhooks,
            chat: chat.configuration(namespace: options.namespace, client: client, logger: logger))
        configuration.eventRateLimit = options.eventRateLimit
        let airlock = try AirlockOperator(client: client, signer: signer, configuration: configuration, logger: logger)
        services.append(airlock)
        if let server = chat.server(
            airlock: airlock, client: client, controllerUsername: options.username, logger: logger)
        {
            services.append(server)
        }
        services.append(
            OperationsServer.application(
                port: options.metricsPort, registry: registry, isReady: { airlock.isReady }, logger: logger))
        services += extraServices

        // Runs once and ends; its end must not stop the group.
        let group = Mutex<ServiceGroup?>(nil)
        let readiness = ServiceGroupReadiness(listening: listening, airlock: airlock) {
            await onReady { await group.withLock { $0 }?.triggerGracefulShutdown() }
        }
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
                    + [.init(service: readiness, successTerminationBehavior: .ignore)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info(
            "airlock controller starting",
            metadata: ["namespace": "\(options.namespace)", "identity": "\(options.username)"])
        group.withLock { $0 = serviceGroup }
        try await serviceGroup.run()
        logger.info("airlock controller stopped")
    }
}

/// Calls `onReady` once the webhook listens and the caches have synced (or not at all if the
/// process shuts down first).
struct ServiceGroupReadiness: Service {
    let listening: AsyncStream<Int>
    let airlock: AirlockOperator
    let onReady: @Sendable () async -> Void

    func run() async {
        do {
            try await cancelWhenGracefulShutdown {
                for await _ in listening { break }
                while !airlock.isReady { try await Task.sleep(for: .milliseconds(20)) }
                await onReady()
            }
        } catch {
            // Shut down before ready: nothing to report.
        }
    }
}
