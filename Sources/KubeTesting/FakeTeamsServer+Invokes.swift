import AsyncHTTPClient
import Crypto
import Foundation
import KubeCore
import NIOCore
import _CryptoExtras

extension FakeTeamsServer {
    /// The claims of a minted token (defaults: what the Bot Framework sends this bot).
    public struct Claims: Sendable {
        public var issuer: String
        public var audience: String
        public var serviceURL: String?
        public var notBefore: Date
        public var expires: Date

        public init(issuer: String, audience: String, serviceURL: String?, notBefore: Date, expires: Date) {
            self.issuer = issuer
            self.audience = audience
            self.serviceURL = serviceURL
            self.notBefore = notBefore
            self.expires = expires
        }
    }

    /// An activity ready to POST: body and headers (with its `Authorization`).
    public struct SignedActivity: Sendable {
        public var body: JSONValue
        public var headers: [String: String]
    }

    /// Valid claims for this bot, issued now, for an hour.
    public func claims(now: Date = Date()) -> Claims {
        Claims(
            issuer: issuer, audience: appID, serviceURL: serviceURL, notBefore: now.addingTimeInterval(-60),
            expires: now.addingTimeInterval(3600))
    }

    /// A JWT: `claims` signed RS256 with `key` (default: the first signing key), or with the
    /// header `alg` given (`none`: no signature; `HS256`: an HMAC keyed with the public key's
    /// DER, the classic key-confusion attack).
    public func token(_ claims: Claims? = nil, key: SigningKey? = nil, alg: String = "RS256") -> String {
        let claims = claims ?? self.claims()
        let key = key ?? signingKeys[0]
        var payload: [String: JSONValue] = [
            "iss": .string(claims.issuer), "aud": .string(claims.audience),
            "nbf": .number(claims.notBefore.timeIntervalSince1970.rounded(.down)),
            "exp": .number(claims.expires.timeIntervalSince1970.rounded(.down)),
        ]
        if let serviceURL = claims.serviceURL { payload["serviceurl"] = .string(serviceURL) }
        let header: JSONValue = ["alg": .string(alg), "kid": .string(key.id), "typ": "JWT"]
        let signingInput =
            Self.base64URL((try? KubeJSON.encode(header)) ?? Data()) + "."
            + Self.base64URL((try? KubeJSON.encode(JSONValue.object(payload))) ?? Data())
        let signature: Data
        switch alg {
        case "RS256":
            signature =
                (try? key.privateKey.signature(
                    for: SHA256.hash(data: Data(signingInput.utf8)), padding: .insecurePKCS1v1_5
                ).rawRepresentation) ?? Data()
        case "HS256":
            let secret = SymmetricKey(data: key.privateKey.publicKey.derRepresentation)
            signature = Data(HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: secret))
        default:
            signature = Data()
        }
        return signingInput + "." + Self.base64URL(signature)
    }

    /// A click on the card: an `adaptiveCard/action` invoke as Teams sends it, by `user` in
    /// `conversation`, with `verb` and the card's `data` (`request` and the inputs), signed
    /// with a valid token unless `token` is given.
    public func invoke(
        _ verb: String, request: String, user: User, inputs: [String: String] = [:], conversation: String,
        replyToID: String? = nil, token: String? = nil, tenantID: String? = nil
    ) -> SignedActivity {
        var data: [String: JSONValue] = ["request": .string(request)]
        for (key, value) in inputs { data[key] = .string(value) }
        let body: JSONValue = [
            "type": "invoke", "name": "adaptiveCard/action", "id": .string("f:\(UInt64.random(in: 0...UInt64.max))"),
            "channelId": "msteams", "serviceUrl": .string(serviceURL), "timestamp": .string(RFC3339.format(Date())),
            "from": ["id": .string(user.id), "aadObjectId": .string(user.aadObjectID), "name": .string(user.name)],
            "recipient": ["id": .string("28:\(appID)"), "name": "Airlock"],
            "conversation": [
                "id": .string(conversation), "conversationType": "channel",
                "tenantId": .string(tenantID ?? self.tenantID),
            ],
            "channelData": ["tenant": ["id": .string(tenantID ?? self.tenantID)]],
            "replyToId": replyToID.map { .string($0) } ?? .null,
            "value": [
                "action": ["type": "Action.Execute", "verb": .string(verb), "data": .object(data)], "trigger": "manual",
            ],
        ]
        return SignedActivity(body: body, headers: ["Authorization": "Bearer \(token ?? self.token())"])
    }

    /// POSTs `activity` to `url` (the bot's `/teams/messages`); the status and body.
    public func post(_ activity: SignedActivity, to url: String) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in activity.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: (try? KubeJSON.encode(activity.body)) ?? Data()))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// The user named `name`.
    public func user(_ name: String) -> User {
        users.first { $0.name == name }!
    }
}
