import AirlockChat
import Foundation
import KubeCore
import KubeTesting
import Testing

/// Issue 12: the Bot Framework JWT of every Teams activity, validated against keys generated
/// here and served by the fake's OpenID metadata + JWKS. A good token passes; every forgery
/// and every stale or misdirected token is refused.
@Suite struct BotFrameworkTokenTests {
    /// Runs `body` with a fake serving a key generated here, the key set it publishes, and a
    /// validator for the fake's bot.
    static func with(
        _ body: (FakeTeamsServer, BotFrameworkKeySet, BotFrameworkTokenValidator) async throws -> Void
    ) async throws {
        let key = try FakeTeamsServer.SigningKey.generate(id: "test-key")
        let teams = try await FakeTeamsServer.start(keys: [key])
        do {
            let keys = try await BotFrameworkKeys(metadataURL: teams.metadataURL).keys(for: "test-key")
            try await body(teams, keys, BotFrameworkTokenValidator(appID: teams.appID))
        } catch {
            await teams.stop()
            throw error
        }
        await teams.stop()
    }

    static func validate(
        _ token: String, _ teams: FakeTeamsServer, _ keys: BotFrameworkKeySet, _ validator: BotFrameworkTokenValidator,
        serviceURL: String? = nil
    ) throws {
        try validator.validate(
            token, serviceURL: serviceURL ?? teams.serviceURL, channelID: "msteams", keys: keys, now: Date())
    }

    @Test func aGoodTokenPasses() async throws {
        try await Self.with { teams, keys, validator in
            let claims = try validator.validate(
                teams.token(), serviceURL: teams.serviceURL, channelID: "msteams", keys: keys, now: Date())
            #expect(claims["aud"]?.stringValue == teams.appID)
            // Within the 5 minutes of skew: expired 4 minutes ago, valid from 4 minutes ahead.
            var claimsNearEdges = teams.claims()
            claimsNearEdges.expires = Date().addingTimeInterval(-240)
            claimsNearEdges.notBefore = Date().addingTimeInterval(-3600)
            try Self.validate(teams.token(claimsNearEdges), teams, keys, validator)
            claimsNearEdges.expires = Date().addingTimeInterval(3600)
            claimsNearEdges.notBefore = Date().addingTimeInterval(240)
            try Self.validate(teams.token(claimsNearEdges), teams, keys, validator)
            // A trailing slash on either service URL is the same URL.
            try Self.validate(teams.token(), teams, keys, validator, serviceURL: String(teams.serviceURL.dropLast()))
        }
    }

    @Test(arguments: ForgedToken.allCases) func aBadTokenIsRefused(_ forged: ForgedToken) async throws {
        try await Self.with { teams, keys, validator in
            let token = try forged.token(teams)
            let error = #expect(throws: ChatError.self) { try Self.validate(token, teams, keys, validator) }
            #expect(error?.kind == .signatureMismatch, "\(forged): \(String(describing: error))")
            #expect(error?.isAuthenticationFailure == true)
        }
    }

    @Test func noTokenIsAMissingHeader() throws {
        let validator = BotFrameworkTokenValidator(appID: "bot")
        let error = #expect(throws: ChatError.self) {
            try validator.validate(
                nil, serviceURL: "x", channelID: nil, keys: BotFrameworkKeySet(keys: []), now: Date())
        }
        #expect(error?.kind == .missingHeader)
        #expect(BotFrameworkTokenValidator.bearerToken("Basic abc") == nil)
        #expect(BotFrameworkTokenValidator.bearerToken("bearer abc") == "abc")
    }
}

/// Each way a token can be wrong.
enum ForgedToken: String, CaseIterable, Sendable {
    case wrongIssuer, wrongAudience, expired, notYetValid, wrongKey, unknownKey, algNone, algHS256
    case serviceURLMismatch, noServiceURL, tamperedPayload

    func token(_ teams: FakeTeamsServer) throws -> String {
        var claims = teams.claims()
        switch self {
        case .wrongIssuer:
            claims.issuer = "https://sts.windows.net/evil/"
        case .wrongAudience:
            claims.audience = "another-bot"
        case .expired:
            claims.expires = Date().addingTimeInterval(-360)
            claims.notBefore = Date().addingTimeInterval(-7200)
        case .notYetValid:
            claims.notBefore = Date().addingTimeInterval(360)
        case .wrongKey:
            // Same kid as the published key, signed by another key.
            let other = try FakeTeamsServer.SigningKey.generate(id: teams.signingKeys[0].id)
            return teams.token(claims, key: other)
        case .unknownKey:
            return teams.token(claims, key: try FakeTeamsServer.SigningKey.generate(id: "unknown"))
        case .algNone:
            return teams.token(claims, alg: "none")
        case .algHS256:
            return teams.token(claims, alg: "HS256")
        case .serviceURLMismatch:
            claims.serviceURL = "https://evil.example.com/"
        case .noServiceURL:
            claims.serviceURL = nil
        case .tamperedPayload:
            let good = teams.token(claims).split(separator: ".").map(String.init)
            claims.audience = "another-bot"
            let other = teams.token(claims).split(separator: ".").map(String.init)
            return [good[0], other[1], good[2]].joined(separator: ".")
        }
        return teams.token(claims)
    }
}

/// An independent JWT implementation (PyJWT) as the peer: a token it signs RS256 with a key the
/// fake publishes is accepted, and it accepts the tokens the fake mints as Teams would.
@Suite(.serialized) struct BotFrameworkTokenPeerTests {
    static let script = #"""
        import json, sys
        try:
            import jwt
        except ImportError as error:
            print("MISSING_MODULE", error.name, file=sys.stderr, flush=True)
            sys.exit(3)
        case = json.load(sys.stdin)
        claims = jwt.decode(
            case["token"], case["publicKey"], algorithms=["RS256"], audience=case["audience"], issuer=case["issuer"])
        signed = jwt.encode(
            {"iss": case["issuer"], "aud": case["audience"], "serviceurl": case["serviceUrl"],
             "nbf": case["now"] - 60, "exp": case["now"] + 3600},
            case["privateKey"], algorithm="RS256", headers={"kid": case["kid"]})
        print(json.dumps({"serviceurl": claims["serviceurl"], "token": signed}))
        """#

    @Test func pyJWTAndTheValidatorAgree() async throws {
        try await BotFrameworkTokenTests.with { teams, keys, validator in
            let key = teams.signingKeys[0]
            let input: JSONValue = [
                "token": .string(teams.token()), "publicKey": .string(key.privateKey.publicKey.pemRepresentation),
                "privateKey": .string(key.privateKey.pemRepresentation), "kid": .string(key.id),
                "audience": .string(teams.appID), "issuer": .string(teams.issuer),
                "serviceUrl": .string(teams.serviceURL),
                "now": .number(Date().timeIntervalSince1970.rounded(.down)),
            ]
            let output = try await PythonPeer.run(Self.script, input: try KubeJSON.encode(input))
            let answer = try KubeJSON.decode(JSONValue.self, from: Data(output.utf8))
            #expect(answer["serviceurl"]?.stringValue == teams.serviceURL)
            let signed = try #require(answer["token"]?.stringValue)
            try BotFrameworkTokenTests.validate(signed, teams, keys, validator)
        }
    }
}
