/// The one error type of AirlockAdmission: TLS material that cannot be read or issued, and
/// Kubernetes calls of the certificate bootstrap that failed.
public struct AdmissionError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Certificate or key material is unreadable or inconsistent.
        case tls
        /// The Secret or the webhook configurations could not be read or written.
        case kubernetes
        /// The HTTPS server could not start.
        case server
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "admission webhook: \(message)" }
}
