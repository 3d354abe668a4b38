import Crypto

/// A key pair for signing tokens, e.g. kube-apiserver's service-account tokens
/// (`--service-account-signing-key-file` takes the private key, `--service-account-key-file`
/// the public key; v1.20 accepts ECDSA P-256 and signs ES256).
public struct SigningKeyPair: Sendable {
    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). A secret.
    public let privateKeyPEM: String
    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    public let publicKeyPEM: String

    /// A new ECDSA P-256 key pair.
    public static func generateP256() -> SigningKeyPair {
        let key = P256.Signing.PrivateKey()
        return SigningKeyPair(privateKeyPEM: key.pemRepresentation, publicKeyPEM: key.publicKey.pemRepresentation)
    }
}
