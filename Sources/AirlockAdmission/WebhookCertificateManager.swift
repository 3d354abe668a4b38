import Foundation
import KubeClient
import KubeCore
import Logging
import ServiceLifecycle

/// Self-bootstrapped webhook TLS (when no cert-manager certificate is mounted): keeps the CA
/// and serving certificate in a Secret shared by every replica, writes the CA bundle into
/// the webhook configurations, and renews before expiry.
///
/// ```
/// let manager = WebhookCertificateManager(client: client, configuration: .init(namespace: "airlock-system", policy: .service(namespace: "airlock-system")))
/// let store = try await manager.bootstrap()     // before the server starts
/// // run `manager` (a Service) next to the server: it re-checks every `checkInterval`
/// ```
///
/// Every check: read the Secret (create it when missing; on AlreadyExists another replica
/// won, so read theirs), renew what needs renewing (``WebhookTLSMaterial/renewal(of:policy:now:)``),
/// write it back guarded by resourceVersion (on Conflict re-read: another replica renewed),
/// serve whatever the Secret now holds, and make sure every webhook of the named
/// configurations carries the current bundle. Replicas that did not renew pick the new
/// certificate up at their next check.
public actor WebhookCertificateManager: Service {
    public struct Configuration: Sendable {
        /// The controller's namespace, where the Secret lives.
        public var namespace: String
        public var secretName: String
        /// The MutatingWebhookConfiguration to write the bundle into; nil: none.
        public var mutatingConfigurationName: String?
        /// The ValidatingWebhookConfiguration to write the bundle into; nil: none.
        public var validatingConfigurationName: String?
        public var policy: WebhookTLSPolicy
        /// How often the certificates and bundles are checked.
        public var checkInterval: Duration

        public init(
            namespace: String, secretName: String = WebhookCertificateManager.defaultSecretName,
            mutatingConfigurationName: String? = WebhookConfigurations.defaultName,
            validatingConfigurationName: String? = WebhookConfigurations.defaultName, policy: WebhookTLSPolicy,
            checkInterval: Duration = .seconds(3600)
        ) {
            self.namespace = namespace
            self.secretName = secretName
            self.mutatingConfigurationName = mutatingConfigurationName
            self.validatingConfigurationName = validatingConfigurationName
            self.policy = policy
            self.checkInterval = checkInterval
        }
    }

    public static let defaultSecretName = "airlock-webhook-tls"

    public nonisolated let configuration: Configuration
    private let client: KubernetesClient
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Duration) async throws -> Void
    private var store: ServingCertificateStore?

    /// - Parameters:
    ///   - clock: paces the periodic check (tests inject their own).
    ///   - now: the wall-clock time certificates are judged against.
    public init<C: Clock<Duration>>(
        client: KubernetesClient, configuration: Configuration, clock: C = ContinuousClock(),
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "airlock.admission.tls")
    ) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.now = now
        self.sleep = { try await clock.sleep(for: $0) }
    }

    /// Makes sure valid material exists and the bundles carry its CA, and returns the store
    /// the server serves from. Call once before starting the server.
    public func bootstrap() async throws -> ServingCertificateStore {
        try await check()
        guard let store else { throw AdmissionError(.tls, "no serving certificate after the bootstrap") }
        return store
    }

    /// One check at `date` (default: now): renew, store, serve, write bundles. Returns the
    /// material in force.
    @discardableResult
    public func check(at date: Date? = nil) async throws -> WebhookTLSMaterial {
        let now = date ?? self.now()
        let material = try await renewStoredMaterial(now: now)
        // The bundle first: it trusts every CA the served certificate may come from, so
        // the API server never meets a certificate it does not trust yet. A failure to write
        // it must not stop a renewed certificate from being served, though.
        var bundleError: (any Error)?
        do {
            try await writeBundles(material.caBundleBase64(now: now))
        } catch {
            bundleError = error
        }
        if let store {
            if try store.update(
                certificatePEM: material.servingCertificatePEM, privateKeyPEM: material.servingPrivateKeyPEM)
            {
                logger.info("serving a new webhook certificate")
            }
        } else {
            store = try ServingCertificateStore(
                certificatePEM: material.servingCertificatePEM, privateKeyPEM: material.servingPrivateKeyPEM)
        }
        if let bundleError { throw bundleError }
        return material
    }

    /// Checks every `checkInterval` until cancelled or shut down. A failed check is logged
    /// and retried at the next interval (the certificate in force stays valid meanwhile).
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.sleep(self.configuration.checkInterval)
                } catch {
                    return
                }
                do {
                    try await self.check()
                } catch {
                    self.logger.error(
                        "webhook certificate check failed (retrying in \(self.configuration.checkInterval)): \(error)")
                }
            }
        }
    }

    // MARK: Secret

    private func renewStoredMaterial(now: Date) async throws -> WebhookTLSMaterial {
        let name = configuration.secretName
        let namespace = configuration.namespace
        for _ in 0..<5 {
            let secret = try await readSecret()
            var stored: WebhookTLSMaterial?
            if let secret {
                do {
                    stored = try WebhookTLSMaterial(secret: secret)
                } catch {
                    logger.warning("Secret \(namespace)/\(name) is unusable (\(error)); replacing its material")
                }
            }
            let renewal: WebhookTLSMaterial.Renewal?
            do {
                renewal = try WebhookTLSMaterial.renewal(of: stored, policy: configuration.policy, now: now)
            } catch {
                throw AdmissionError(.tls, "could not issue webhook certificates: \(error)")
            }
            guard let renewal else {
                // Nothing to renew, so `stored` exists.
                if let stored { return stored }
                continue
            }
            do {
                try await write(renewal.material, over: secret)
                logger.info(
                    "webhook TLS material in Secret \(namespace)/\(name) renewed: \(renewal.reasons.joined(separator: "; "))"
                )
                return renewal.material
            } catch let error as KubernetesError where error.isConflict || error.isAlreadyExists {
                logger.debug("Secret \(namespace)/\(name) changed under us (\(error.reason ?? "")); re-reading")
                continue
            }
        }
        throw AdmissionError(.kubernetes, "Secret \(namespace)/\(name) kept changing during 5 attempts to renew it")
    }

    private func readSecret() async throws -> Secret? {
        do {
            return try await client.get(Secret.self, name: configuration.secretName, namespace: configuration.namespace)
        } catch let error as KubernetesError where error.isNotFound {
            return nil
        } catch {
            throw AdmissionError(
                .kubernetes, "reading Secret \(configuration.namespace)/\(configuration.secretName): \(error)")
        }
    }

    private func write(_ material: WebhookTLSMaterial, over existing: Secret?) async throws {
        if var secret = existing {
            secret.data = material.secretData
            _ = try await client.update(secret)
        } else {
            var metadata = ObjectMeta(
                name: configuration.secretName, namespace: configuration.namespace,
                labels: [
                    "app.kubernetes.io/name": "airlock", "app.kubernetes.io/component": "admission-webhook",
                    "app.kubernetes.io/managed-by": "airlock",
                ])
            metadata.annotations = [
                "airlock.dev/description": "Self-signed CA and serving certificate of Airlock's admission webhook"
            ]
            let secret = Secret(metadata: metadata, type: "kubernetes.io/tls", data: material.secretData)
            _ = try await client.create(secret, namespace: configuration.namespace)
        }
    }

    // MARK: Bundles

    private func writeBundles(_ bundle: String) async throws {
        if let name = configuration.mutatingConfigurationName {
            try await writeBundle(MutatingWebhookConfiguration.self, name: name, bundle: bundle) { $0.webhooks }
        }
        if let name = configuration.validatingConfigurationName {
            try await writeBundle(ValidatingWebhookConfiguration.self, name: name, bundle: bundle) { $0.webhooks }
        }
    }

    /// Sets `caBundle` on every webhook of a configuration that does not carry it yet, with
    /// a JSON patch that first tests each webhook's name (so a concurrent reordering fails
    /// the patch instead of writing into the wrong entry). A missing configuration is logged
    /// and left for the next check.
    private func writeBundle<R: KubeResource>(
        _ type: R.Type, name: String, bundle: String, webhooks: (R) -> [WebhookConfigurationEntry]?
    ) async throws {
        for attempt in 1...3 {
            let configuration: R
            do {
                configuration = try await client.get(type, name: name)
            } catch let error as KubernetesError where error.isNotFound {
                logger.warning("\(R.kind) \(name) not found; its CA bundle will be written once it exists")
                return
            }
            var patch: [JSONPatchOperation] = []
            for (index, webhook) in (webhooks(configuration) ?? []).enumerated()
            where webhook.clientConfig.caBundle != bundle {
                patch.append(.test("/webhooks/\(index)/name", .string(webhook.name)))
                patch.append(.add("/webhooks/\(index)/clientConfig/caBundle", .string(bundle)))
            }
            guard !patch.isEmpty else { return }
            do {
                _ = try await client.patch(type, name: name, patch: .json(patch))
                logger.info("wrote the CA bundle into \(R.kind) \(name)")
                return
            } catch let error as KubernetesError where attempt < 3 && (error.isConflict || error.isInvalid) {
                continue
            } catch {
                throw AdmissionError(.kubernetes, "writing the CA bundle into \(R.kind) \(name): \(error)")
            }
        }
    }
}
