import Crypto
import Foundation
import KubeCore

/// Slack request signing (api.slack.com/authentication/verifying-requests-from-slack):
/// `X-Slack-Signature: v0=<lowercase hex HMAC-SHA256(signing secret, "v0:{timestamp}:{raw body}")>`
/// with the Unix seconds of `X-Slack-Request-Timestamp`.
///
/// Verify over the raw body bytes exactly as received, before parsing anything. The
/// comparison is constant-time; timestamps more than ``tolerance`` from `now` (either way)
/// are rejected, which bounds how long a captured request could be replayed (pair it with a
/// ``SlackReplayCache`` to refuse replays inside that window).
public struct SlackSignature: Sendable {
    /// `X-Slack-Signature`.
    public static let signatureHeader = "X-Slack-Signature"
    /// `X-Slack-Request-Timestamp`.
    public static let timestampHeader = "X-Slack-Request-Timestamp"
    /// Slack's documented tolerance: 5 minutes.
    public static let defaultTolerance: TimeInterval = 300

    private let secret: ChatSecret
    /// How far from `now` a request timestamp may be.
    public let tolerance: TimeInterval

    /// - Parameters:
    ///   - signingSecret: the app's Signing Secret (Basic Information page of the Slack app).
    ///   - tolerance: how far from `now` a timestamp may be; Slack recommends 5 minutes.
    public init(signingSecret: ChatSecret, tolerance: TimeInterval = Self.defaultTolerance) {
        self.secret = signingSecret
        self.tolerance = tolerance
    }

    /// The `X-Slack-Signature` value for `body` sent at `timestamp` (Unix seconds as text).
    public func signature(timestamp: String, body: some DataProtocol) -> String {
        "v0=" + Hex.encode(mac(timestamp: timestamp, body: body))
    }

    /// Both headers for `body` sent at `date`: what Slack would send (for tests and fakes).
    public func headers(body: some DataProtocol, at date: Date) -> [String: String] {
        let timestamp = String(Int64(date.timeIntervalSince1970.rounded(.down)))
        return [Self.timestampHeader: timestamp, Self.signatureHeader: signature(timestamp: timestamp, body: body)]
    }

    /// Checks a request: headers present and well-formed, timestamp within ``tolerance`` of
    /// `now`, signature matching the raw `body` (constant-time).
    ///
    /// - Returns: the verified timestamp (Unix seconds), for replay bookkeeping.
    /// - Throws: ``ChatError`` of kind `.missingHeader`, `.malformedSignature`,
    ///   `.staleTimestamp` or `.signatureMismatch`.
    @discardableResult
    public func verify(
        body: some DataProtocol, timestamp: String?, signature: String?, now: Date
    ) throws(ChatError) -> Int64 {
        guard let timestamp, !timestamp.isEmpty else {
            throw ChatError(.missingHeader, "the \(Self.timestampHeader) header is missing")
        }
        guard let signature, !signature.isEmpty else {
            throw ChatError(.missingHeader, "the \(Self.signatureHeader) header is missing")
        }
        guard timestamp.utf8.count <= 12, timestamp.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let seconds = Int64(timestamp)
        else {
            throw ChatError(.malformedSignature, "\(Self.timestampHeader) is not Unix seconds")
        }
        guard signature.hasPrefix("v0="), let expected = Self.unhex(signature.dropFirst(3)), expected.count == 32
        else {
            throw ChatError(
                .malformedSignature, "\(Self.signatureHeader) is not 'v0=' followed by 64 hex digits")
        }
        let skew = now.timeIntervalSince1970 - Double(seconds)
        guard abs(skew) <= tolerance else {
            throw ChatError(
                .staleTimestamp,
                "the request timestamp is \(Int(abs(skew).rounded())) s \(skew > 0 ? "old" : "in the future") "
                    + "(more than \(Int(tolerance)) s): replayed, or a clock is off (check NTP)")
        }
        guard Self.constantTimeEqual(mac(timestamp: timestamp, body: body), expected) else {
            throw ChatError(
                .signatureMismatch,
                "the request signature does not match: not from Slack, altered on the way, or the signing "
                    + "secret is wrong (use the app's Signing Secret, not its token)")
        }
        return seconds
    }

    private func mac(timestamp: String, body: some DataProtocol) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: secret.bytes))
        hmac.update(data: Array("v0:\(timestamp):".utf8))
        hmac.update(data: body)
        return Array(hmac.finalize())
    }

    /// Compares two byte strings in time that depends only on their lengths.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    /// Decodes hex digits (either case); nil when not hex.
    static func unhex(_ text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: byte - 48
            case 97...102: byte - 87
            case 65...70: byte - 55
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
