import Foundation
import NIOCore
import NIOSSL
import Synchronization
import X509

/// The certificate and key the webhook serves, replaceable while the server runs.
///
/// The server's TLS configuration carries an `sslContextCallback` that NIOSSL calls at every
/// handshake (after the client hello); it answers with whatever this store holds at that
/// moment. So a renewed certificate is served from the next connection on, without
/// restarting the listener or dropping the connections open at the time (they keep the
/// certificate they were established with, which stays valid for a while: renewal happens
/// with a third of the lifetime left).
public final class ServingCertificateStore: Sendable {
    private struct Current {
        var certificatePEM: String
        var override: NIOSSLContextConfigurationOverride
        var certificateChain: [NIOSSLCertificate]
        var privateKey: NIOSSLPrivateKey
    }

    private let current: Mutex<Current>

    /// A store serving `certificatePEM` (the leaf first, then any intermediates) with
    /// `privateKeyPEM`. Throws when either does not parse or they do not belong together.
    public init(certificatePEM: String, privateKeyPEM: String) throws {
        current = Mutex(try Self.load(certificatePEM: certificatePEM, privateKeyPEM: privateKeyPEM))
    }

    /// The PEM being served.
    public var certificatePEM: String { current.withLock { $0.certificatePEM } }

    /// Serves `certificatePEM` and `privateKeyPEM` from the next handshake on. Returns
    /// whether anything changed; throws (and keeps serving the old pair) when they do not
    /// parse or do not belong together.
    @discardableResult
    public func update(certificatePEM: String, privateKeyPEM: String) throws -> Bool {
        if current.withLock({ $0.certificatePEM == certificatePEM }) { return false }
        let loaded = try Self.load(certificatePEM: certificatePEM, privateKeyPEM: privateKeyPEM)
        current.withLock { $0 = loaded }
        return true
    }

    /// A server TLS configuration that serves this store's current pair at every handshake.
    public func serverTLSConfiguration() -> TLSConfiguration {
        let (chain, key) = current.withLock { ($0.certificateChain, $0.privateKey) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.sslContextCallback = { [self] _, promise in
            promise.succeed(current.withLock { $0.override })
        }
        return configuration
    }

    private static func load(certificatePEM: String, privateKeyPEM: String) throws -> Current {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
        } catch {
            throw AdmissionError(.tls, "serving certificate: not a PEM certificate (\(error))")
        }
        guard !chain.isEmpty else { throw AdmissionError(.tls, "serving certificate: no certificate in the PEM") }
        do {
            key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        } catch {
            // Never echo key material.
            throw AdmissionError(.tls, "serving key: not a PEM private key")
        }
        // The leaf must belong to the key, or every handshake would fail.
        if let leaf = try? Certificate(pemEncoded: certificatePEM),
            let parsedKey = try? Certificate.PrivateKey(pemEncoded: privateKeyPEM),
            parsedKey.publicKey != leaf.publicKey
        {
            throw AdmissionError(.tls, "serving key does not match the serving certificate")
        }
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = chain.map { .certificate($0) }
        override.privateKey = .privateKey(key)
        return Current(certificatePEM: certificatePEM, override: override, certificateChain: chain, privateKey: key)
    }
}
