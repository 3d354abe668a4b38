import Crypto
import Foundation
import KubeCore
import _CryptoExtras

/// Validates the JWT the Bot Framework sends with every activity (`Authorization: Bearer …`),
/// as its authentication docs require, purely (keys and time are given):
///
/// - three base64url parts; the header's `alg` exactly `RS256` (no `none`, no HMAC: a
///   public key is never used as an HMAC secret) and a `kid` found in the key set;
/// - the RS256 (PKCS #1 v1.5, SHA-256) signature over `header.payload`;
/// - `iss` = ``issuer``; `aud` = the bot's app id; `exp` present and not passed, `nbf` (when
///   present) reached, both with ``clockSkew``;
/// - the `serviceurl` claim equal to the activity's `serviceUrl` (so a token minted for one
///   connector cannot make the bot send its own token to another);
/// - when the key lists endorsements, the activity's channel (`msteams`) among them.
///
/// Every failure is a ``ChatError`` with `.signatureMismatch` (answer 401/403); messages name
/// the check, never the token.
public struct BotFrameworkTokenValidator: Sendable {
    /// `iss` of tokens the Bot Framework channels send.
    public static let defaultIssuer = "https://api.botframework.com"

    public var appID: String
    public var issuer: String
    public var clockSkew: TimeInterval

    public init(appID: String, issuer: String = Self.defaultIssuer, clockSkew: TimeInterval = 300) {
        self.appID = appID
        self.issuer = issuer
        self.clockSkew = clockSkew
    }

    /// The `kid` a token names, read without verifying anything (to pick or refresh keys).
    public static func keyID(of token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Base64URL.decode(parts[0]),
            let header = try? KubeJSON.decode(JSONValue.self, from: data)
        else { return nil }
        return header["kid"]?.stringValue
    }

    /// The token of an `Authorization` header value (`Bearer <token>`).
    public static func bearerToken(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Validates `token` for an activity from `serviceURL` on `channelID`.
    ///
    /// - Returns: the verified claims.
    /// - Throws: ``ChatError`` (`.missingHeader` without a token, else `.signatureMismatch`).
    @discardableResult
    public func validate(
        _ token: String?, serviceURL: String, channelID: String?, keys: BotFrameworkKeySet, now: Date
    ) throws(ChatError) -> JSONValue {
        guard let token else { throw ChatError(.missingHeader, "no Bearer token in the Authorization header") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]),
            let payloadData = Base64URL.decode(parts[1]), let signature = Base64URL.decode(parts[2]),
            let header = try? KubeJSON.decode(JSONValue.self, from: headerData),
            let claims = try? KubeJSON.decode(JSONValue.self, from: payloadData), claims.objectMembers != nil
        else { throw refused("the token is not a JWT") }
        guard header["alg"]?.stringValue == "RS256" else { throw refused("the token is not signed with RS256") }
        guard let kid = header["kid"]?.stringValue, let key = keys.keys[kid] else {
            throw refused("the token's signing key is not one of the Bot Framework's")
        }
        let signed = Data("\(parts[0]).\(parts[1])".utf8)
        guard
            key.publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: signed),
                padding: .insecurePKCS1v1_5)
        else { throw refused("the token's signature does not verify") }
        guard claims["iss"]?.stringValue == issuer else { throw refused("the token's issuer is not \(issuer)") }
        let audiences = claims["aud"]?.stringValue.map { [$0] } ?? claims["aud"]?.arrayItems?.compactMap(\.stringValue)
        guard audiences?.contains(appID) == true else { throw refused("the token is not for this bot (audience)") }
        guard let exp = Self.number(claims["exp"]) else { throw refused("the token has no expiry") }
        let time = now.timeIntervalSince1970
        guard time <= exp + clockSkew else { throw refused("the token has expired") }
        if let nbf = Self.number(claims["nbf"]), time < nbf - clockSkew {
            throw refused("the token is not valid yet")
        }
        let claimed = (claims["serviceurl"] ?? claims["serviceUrl"])?.stringValue
        guard let claimed, Self.sameServiceURL(claimed, serviceURL) else {
            throw refused("the token's serviceurl claim does not match the activity's serviceUrl")
        }
        if let endorsements = key.endorsements, let channelID, !endorsements.contains(channelID) {
            throw refused("the signing key is not endorsed for channel \(channelID)")
        }
        return claims
    }

    /// Service URLs compare without a trailing slash and case-insensitively in scheme and host.
    static func sameServiceURL(_ lhs: String, _ rhs: String) -> Bool {
        func normal(_ url: String) -> String {
            var text = url
            while text.hasSuffix("/") { text.removeLast() }
            return text.lowercased()
        }
        return !lhs.isEmpty && normal(lhs) == normal(rhs)
    }

    private static func number(_ value: JSONValue?) -> Double? {
        if case .number(let number)? = value { return number }
        return nil
    }

    private func refused(_ message: String) -> ChatError {
        ChatError(.signatureMismatch, "Bot Framework token refused: \(message)")
    }
}
