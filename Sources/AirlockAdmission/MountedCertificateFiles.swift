import Foundation
import Logging
import ServiceLifecycle

/// Webhook TLS from mounted files (a cert-manager Certificate's Secret): serves them, and
/// re-reads them every `checkInterval` so a renewal by cert-manager (the kubelet updates the
/// mounted files) is served without a restart. The CA bundle is cert-manager's CA
/// injector's job in this mode.
public actor MountedCertificateFiles: Service {
    public nonisolated let certificatePath: String
    public nonisolated let privateKeyPath: String
    /// The store the server serves from.
    public nonisolated let store: ServingCertificateStore
    private let checkInterval: Duration
    private let sleep: @Sendable (Duration) async throws -> Void
    private let logger: Logger

    /// Reads the files once; throws when they are missing or do not form a pair.
    public init<C: Clock<Duration>>(
        certificatePath: String, privateKeyPath: String, checkInterval: Duration = .seconds(60),
        clock: C = ContinuousClock(), logger: Logger = Logger(label: "airlock.admission.tls")
    ) throws {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.checkInterval = checkInterval
        self.sleep = { try await clock.sleep(for: $0) }
        self.logger = logger
        let (certificate, key) = try Self.read(certificatePath: certificatePath, privateKeyPath: privateKeyPath)
        self.store = try ServingCertificateStore(certificatePEM: certificate, privateKeyPEM: key)
    }

    /// Re-reads the files; returns whether the served certificate changed.
    @discardableResult
    public func reload() throws -> Bool {
        let (certificate, key) = try Self.read(certificatePath: certificatePath, privateKeyPath: privateKeyPath)
        return try store.update(certificatePEM: certificate, privateKeyPEM: key)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.sleep(self.checkInterval)
                } catch {
                    return
                }
                do {
                    if try await self.reload() {
                        self.logger.info("serving the renewed certificate from \(self.certificatePath)")
                    }
                } catch {
                    // A kubelet update in progress can show a new certificate with the old
                    // key for a moment; the next read sees both new.
                    self.logger.warning("reloading the webhook certificate failed (retrying): \(error)")
                }
            }
        }
    }

    private static func read(certificatePath: String, privateKeyPath: String) throws -> (String, String) {
        func text(_ path: String, _ what: String) throws -> String {
            do {
                return try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw AdmissionError(.tls, "cannot read the webhook \(what) at \(path): \(error.localizedDescription)")
            }
        }
        return (try text(certificatePath, "certificate"), try text(privateKeyPath, "private key"))
    }
}
