/// The one error type of KubeTLS: unreadable PEM, a key that does not match its
/// certificate, an address that is not an IP.
public struct KubeTLSError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "TLS: \(message)" }
}
