import Foundation
import KubeCore
import _CryptoExtras

/// The signing keys of Bot Framework tokens, from the JWKS the OpenID metadata names: RSA
/// public keys by `kid`, with the channels each is endorsed for.
public struct BotFrameworkKeySet: Sendable {
    /// One RSA public key.
    public struct Key: Sendable {
        public var id: String
        public var publicKey: _RSA.Signing.PublicKey
        /// Channels (`msteams`, ...) the key is endorsed for; nil when the JWK lists none.
        public var endorsements: [String]?
    }

    public var keys: [String: Key]

    public init(keys: [Key]) {
        self.keys = Dictionary(keys.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The RSA signing keys of a JWKS document (`{"keys":[{"kty":"RSA","kid","n","e",...}]}`);
    /// keys of other types, or unusable ones (under 2048 bits), are skipped.
    ///
    /// - Throws: ``ChatError`` (`.unexpectedAnswer`) when the document is not a JWKS or holds no
    ///   usable key.
    public init(jwks data: Data) throws(ChatError) {
        guard let json = try? KubeJSON.decode(JSONValue.self, from: data), let items = json["keys"]?.arrayItems else {
            throw ChatError(.unexpectedAnswer, "the Bot Framework JWKS is not a JSON Web Key Set")
        }
        var keys: [Key] = []
        for item in items {
            guard item["kty"]?.stringValue == "RSA", item["use"]?.stringValue ?? "sig" == "sig",
                let id = item["kid"]?.stringValue, !id.isEmpty,
                let n = item["n"]?.stringValue.flatMap(Base64URL.decode),
                let e = item["e"]?.stringValue.flatMap(Base64URL.decode),
                let key = try? _RSA.Signing.PublicKey(n: n, e: e)
            else { continue }
            let endorsements = item["endorsements"]?.arrayItems?.compactMap(\.stringValue)
            keys.append(Key(id: id, publicKey: key, endorsements: endorsements))
        }
        guard !keys.isEmpty else {
            throw ChatError(.unexpectedAnswer, "the Bot Framework JWKS holds no usable RSA signing key")
        }
        self.init(keys: keys)
    }
}
