/// The one error type of AirlockIdentity: an unusable signing key or signing-key Secret.
public struct IdentityError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "identity signing: \(message)" }
}
