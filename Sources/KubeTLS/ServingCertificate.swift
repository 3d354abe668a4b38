import X509

/// A certificate issued by a `CertificateAuthority`, with its private key and the CA
/// certificate clients need to verify it. All PEM.
public struct ServingCertificate: Sendable {
    public let certificate: Certificate
    /// The certificate (`--tls-cert-file`, `tls.crt`).
    public let certificatePEM: String
    /// Its PKCS#8 private key (`--tls-private-key-file`, `tls.key`). A secret.
    public let privateKeyPEM: String
    /// The issuing CA's certificate (`caBundle`, `ca.crt`).
    public let caCertificatePEM: String
}
