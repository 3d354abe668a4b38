import Crypto
import Foundation
import X509

/// A small self-signed certificate authority (ECDSA P-256) that issues serving
/// certificates: for a test API server (`IP:127.0.0.1`) or for an admission webhook
/// (`DNS:name.namespace.svc`).
///
/// Keep it across restarts by storing `certificatePEM` and `privateKeyPEM` (a Secret) and
/// loading them back with `init(certificatePEM:privateKeyPEM:)`; the CA bundle clients trust
/// then stays the same.
public struct CertificateAuthority: Sendable {
    /// The CA's self-signed certificate.
    public let certificate: Certificate
    /// The CA certificate as PEM: the CA bundle clients trust (`caBundle`, kubeconfig
    /// `certificate-authority-data`).
    public let certificatePEM: String
    private let privateKey: P256.Signing.PrivateKey

    /// Generates a new CA key and self-signed certificate, valid from a few minutes ago
    /// (tolerating clock skew) for `validity`.
    public static func generate(
        commonName: String = "airlock-ca", validity: Duration = .seconds(10 * 365 * 24 * 3600),
        now: Date = Date()
    ) throws -> CertificateAuthority {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("airlock")
            CommonName(commonName)
        }
        let publicKey = Certificate.PublicKey(key.publicKey)
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: publicKey)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now - Self.backdating, notValidAfter: now + validity.timeInterval,
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key))
        return try CertificateAuthority(certificate: certificate, privateKey: key)
    }

    /// Loads a CA back from the PEM this type produced (any P-256 CA works). Fails when the
    /// key does not belong to the certificate.
    public init(certificatePEM: String, privateKeyPEM: String) throws {
        let certificate: Certificate
        do {
            certificate = try Certificate(pemEncoded: certificatePEM)
        } catch {
            throw KubeTLSError("CA certificate: not a PEM certificate (\(error))")
        }
        let key: P256.Signing.PrivateKey
        do {
            key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            // Never echo key material.
            throw KubeTLSError("CA private key: not a PEM P-256 private key")
        }
        guard certificate.publicKey == Certificate.PublicKey(key.publicKey) else {
            throw KubeTLSError("CA private key does not match the CA certificate")
        }
        try self.init(certificate: certificate, privateKey: key)
    }

    private init(certificate: Certificate, privateKey: P256.Signing.PrivateKey) throws {
        self.certificate = certificate
        self.certificatePEM = try certificate.serializeAsPEM().pemString
        self.privateKey = privateKey
    }

    /// The CA private key as PKCS#8 PEM. A secret.
    public var privateKeyPEM: String { privateKey.pemRepresentation }

    /// Issues a serving certificate for the given DNS names and IP addresses (IPv4 or IPv6
    /// text), with a fresh P-256 key. The first DNS name (else the first IP) is the subject's
    /// common name; clients match only the SANs.
    public func issueServingCertificate(
        dnsNames: [String] = [], ipAddresses: [String] = [], validity: Duration = .seconds(365 * 24 * 3600),
        now: Date = Date()
    ) throws -> ServingCertificate {
        guard !dnsNames.isEmpty || !ipAddresses.isEmpty else {
            throw KubeTLSError("a serving certificate needs at least one DNS name or IP address")
        }
        var names = dnsNames.map { GeneralName.dnsName($0) }
        for address in ipAddresses {
            guard let bytes = IPAddress.bytes(address) else { throw KubeTLSError("not an IP address: \(address)") }
            names.append(.ipAddress(.init(contentBytes: bytes[...])))
        }
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let subject = try DistinguishedName {
            OrganizationName("airlock")
            CommonName(dnsNames.first ?? ipAddresses[0])
        }
        let authorityKeyID = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectKeyIdentifier(hash: publicKey)
            AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
            SubjectAlternativeNames(names)
        }
        let issued = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now - Self.backdating, notValidAfter: now + validity.timeInterval,
            issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(privateKey))
        return ServingCertificate(
            certificate: issued, certificatePEM: try issued.serializeAsPEM().pemString,
            privateKeyPEM: key.pemRepresentation, caCertificatePEM: certificatePEM)
    }

    /// How far `notValidBefore` lies in the past, for clocks a little behind ours.
    static let backdating: TimeInterval = 5 * 60
}

extension Duration {
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
