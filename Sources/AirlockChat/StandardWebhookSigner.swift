import Crypto
import Foundation

/// Signs (and verifies) webhook deliveries the Standard Webhooks way
/// (github.com/standard-webhooks/standard-webhooks): headers `webhook-id`,
/// `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
/// "{id}.{timestamp}.{body}">`, with a secret written `whsec_<base64>`. Receivers verify with
/// any Standard Webhooks library and de-duplicate by `webhook-id`.
public struct StandardWebhookSigner: Sendable {
    /// The prefix of an encoded secret.
    public static let secretPrefix = "whsec_"
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    public static let idHeader = "webhook-id"
    public static let timestampHeader = "webhook-timestamp"
    public static let signatureHeader = "webhook-signature"
    /// The specification's tolerance: 5 minutes.
    public static let defaultTolerance: TimeInterval = 300

    private let secret: ChatSecret

    /// A signer with raw secret bytes.
    public init(secret: ChatSecret) {
        self.secret = secret
    }

    /// A signer with an encoded secret: `whsec_<base64>` (the prefix may be left out).
    ///
    /// - Throws: ``ChatError`` (`.invalidInput`) when it is not base64 or is empty; the message
    ///   never repeats the secret.
    public init(encodedSecret: String) throws(ChatError) {
        var text = encodedSecret.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix(Self.secretPrefix) { text.removeFirst(Self.secretPrefix.count) }
        while text.utf8.count % 4 != 0 { text += "=" }
        guard let bytes = Data(base64Encoded: text), !bytes.isEmpty else {
            throw ChatError(.invalidInput, "the webhook secret is not 'whsec_' followed by base64: check its Secret")
        }
        self.init(secret: ChatSecret(bytes: [UInt8](bytes)))
    }

    /// A fresh random secret, encoded `whsec_<base64 of 32 bytes>`.
    public static func generateSecret() -> String {
        let key = SymmetricKey(size: .bits256)
        return secretPrefix + key.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// `v1,<base64 signature>` of `body` sent as message `id` at `timestamp`.
    public func signature(id: String, timestamp: Int64, body: some DataProtocol) -> String {
        "v1," + Data(mac(id: id, timestamp: timestamp, body: body)).base64EncodedString()
    }

    /// The three headers for a delivery.
    public func headers(id: String, timestamp: Int64, body: some DataProtocol) -> [(String, String)] {
        [
            (Self.idHeader, id), (Self.timestampHeader, String(timestamp)),
            (Self.signatureHeader, signature(id: id, timestamp: timestamp, body: body)),
        ]
    }

    /// Verifies a delivery: one of the space-separated `v1,` signatures matches (constant
    /// time) and the timestamp is within `tolerance` of `now`.
    ///
    /// - Throws: ``ChatError`` (`.missingHeader`, `.malformedSignature`, `.staleTimestamp`,
    ///   `.signatureMismatch`).
    public func verify(
        id: String?, timestamp: String?, signatures: String?, body: some DataProtocol, now: Date,
        tolerance: TimeInterval = Self.defaultTolerance
    ) throws(ChatError) {
        guard let id, !id.isEmpty, let timestamp, let signatures else {
            throw ChatError(.missingHeader, "a webhook-id, webhook-timestamp or webhook-signature header is missing")
        }
        guard let seconds = Int64(timestamp) else {
            throw ChatError(.malformedSignature, "webhook-timestamp is not Unix seconds")
        }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else {
            throw ChatError(.staleTimestamp, "webhook-timestamp is more than \(Int(tolerance)) s from now")
        }
        let expected = mac(id: id, timestamp: seconds, body: body)
        for candidate in signatures.split(separator: " ") where candidate.hasPrefix("v1,") {
            if let given = Data(base64Encoded: String(candidate.dropFirst(3))),
                SlackSignature.constantTimeEqual([UInt8](given), expected)
            {
                return
            }
        }
        throw ChatError(.signatureMismatch, "no webhook-signature matches: wrong secret or altered body")
    }

    private func mac(id: String, timestamp: Int64, body: some DataProtocol) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: secret.bytes))
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return Array(hmac.finalize())
    }
}
