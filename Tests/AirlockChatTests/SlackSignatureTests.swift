import AirlockChat
import Foundation
import Testing

/// Slack request signatures: Slack's worked example, and every way a request can be refused.
@Suite struct SlackSignatureTests {
    static let secret = ChatSecret("8f742231b10e8888abcd99yyyzzz85a5")
    static let timestamp = "1531420618"
    static let body =
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    static let expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    static let now = Date(timeIntervalSince1970: 1_531_420_618 + 10)
    let signer = SlackSignature(signingSecret: secret)

    func verify(
        body: String = Self.body, timestamp: String? = Self.timestamp, signature: String? = Self.expected,
        now: Date = Self.now, signer: SlackSignature? = nil
    ) throws(ChatError) {
        try (signer ?? self.signer).verify(body: Array(body.utf8), timestamp: timestamp, signature: signature, now: now)
    }

    @Test func slacksWorkedExampleSignsAndVerifies() throws {
        #expect(signer.signature(timestamp: Self.timestamp, body: Array(Self.body.utf8)) == Self.expected)
        let seconds = try signer.verify(
            body: Array(Self.body.utf8), timestamp: Self.timestamp, signature: Self.expected, now: Self.now)
        #expect(seconds == 1_531_420_618)
    }

    @Test func tamperedBodyIsAMismatch() {
        let error = #expect(throws: ChatError.self) {
            try verify(body: Self.body.replacingOccurrences(of: "roadrunner", with: "coyote"))
        }
        #expect(error?.kind == .signatureMismatch)
        #expect(error?.isAuthenticationFailure == true)
    }

    @Test func wrongSecretIsAMismatchAndTheMessageNeverShowsASecret() {
        let wrong = SlackSignature(signingSecret: ChatSecret("not-the-secret"))
        let error = #expect(throws: ChatError.self) { try verify(signer: wrong) }
        #expect(error?.kind == .signatureMismatch)
        let text = error.map { "\($0)" } ?? ""
        #expect(!text.contains("8f742231"))
        #expect(!text.contains("a2114d57"))
    }

    @Test func timestampChangedIsAMismatch() {
        let error = #expect(throws: ChatError.self) { try verify(timestamp: "1531420619") }
        #expect(error?.kind == .signatureMismatch)
    }

    @Test(arguments: [-301.0, 301.0, 86_400.0])
    func timestampsBeyondFiveMinutesAreStale(offset: Double) {
        let now = Date(timeIntervalSince1970: 1_531_420_618 + offset)
        let error = #expect(throws: ChatError.self) { try verify(now: now) }
        #expect(error?.kind == .staleTimestamp)
    }

    @Test(arguments: [-300.0, 0.0, 300.0])
    func timestampsWithinFiveMinutesPass(offset: Double) throws {
        try verify(now: Date(timeIntervalSince1970: 1_531_420_618 + offset))
    }

    @Test func missingHeadersAreNamed() {
        let noTimestamp = #expect(throws: ChatError.self) { try verify(timestamp: nil) }
        #expect(noTimestamp?.kind == .missingHeader)
        #expect(noTimestamp?.message.contains("X-Slack-Request-Timestamp") == true)
        let noSignature = #expect(throws: ChatError.self) { try verify(signature: nil) }
        #expect(noSignature?.kind == .missingHeader)
        #expect(noSignature?.message.contains("X-Slack-Signature") == true)
        let empty = #expect(throws: ChatError.self) { try verify(signature: "") }
        #expect(empty?.kind == .missingHeader)
    }

    @Test(arguments: [
        "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",  // no v0=
        "v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        "v0=a2114d57",  // too short
        "v0=zz114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",  // not hex
    ])
    func malformedSignaturesAreRefused(signature: String) {
        let error = #expect(throws: ChatError.self) { try verify(signature: signature) }
        #expect(error?.kind == .malformedSignature)
    }

    @Test(arguments: ["", "abc", "1531420618.5", "-1531420618", "15314206180000000"])
    func malformedTimestampsAreRefused(timestamp: String) {
        let error = #expect(throws: ChatError.self) { try verify(timestamp: timestamp) }
        #expect(error?.kind == (timestamp.isEmpty ? .missingHeader : .malformedSignature))
    }

    @Test func headersSignForTheGivenMoment() throws {
        let body = Array("payload=%7B%7D".utf8)
        let headers = signer.headers(body: body, at: Self.now)
        #expect(headers[SlackSignature.timestampHeader] == "1531420628")
        try signer.verify(
            body: body, timestamp: headers[SlackSignature.timestampHeader],
            signature: headers[SlackSignature.signatureHeader], now: Self.now)
    }

    @Test func secretsNeverPrint() {
        let secret = ChatSecret("xoxb-super-secret")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("super-secret"))
    }
}

/// The replay cache behind the interaction handler.
@Suite struct SlackReplayCacheTests {
    let now = Date(timeIntervalSince1970: 1_750_000_000)

    @Test func aSignedRequestIsAcceptedOnceWithinTheWindow() {
        var cache = SlackReplayCache(capacity: 10)
        #expect(cache.record(signature: "v0=a", timestamp: 1_750_000_000, now: now) == .fresh)
        #expect(
            cache.record(signature: "v0=a", timestamp: 1_750_000_000, now: now.addingTimeInterval(299)) == .replayed)
        #expect(cache.record(signature: "v0=b", timestamp: 1_750_000_000, now: now) == .fresh)
        #expect(cache.record(signature: "v0=a", timestamp: 1_750_000_001, now: now) == .fresh)
    }

    @Test func entriesLeaveOnceTheirTimestampIsStale() {
        var cache = SlackReplayCache(capacity: 2)
        #expect(cache.record(signature: "v0=a", timestamp: 1_750_000_000, now: now) == .fresh)
        #expect(cache.record(signature: "v0=b", timestamp: 1_750_000_000, now: now) == .fresh)
        // Full with live entries: refused rather than forgetting a live one.
        #expect(cache.record(signature: "v0=c", timestamp: 1_750_000_000, now: now) == .full)
        #expect(cache.count == 2)
        // Later, the old ones are stale (the signature check would refuse them): room again.
        let later = now.addingTimeInterval(301)
        #expect(cache.record(signature: "v0=c", timestamp: 1_750_000_301, now: later) == .fresh)
        #expect(cache.count == 1)
    }
}
