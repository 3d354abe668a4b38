import AirlockChat
import Foundation
import KubeCore
import Testing

/// CloudEvents bodies and Standard Webhooks signatures, without a network.
@Suite struct EventWebhookTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    @Test func standardWebhooksSpecExample() throws {
        // The example of the Standard Webhooks specification's reference libraries.
        let signer = try StandardWebhookSigner(encodedSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Array(#"{"test": 2432232314}"#.utf8)
        #expect(
            signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body)
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func signsAndVerifies() throws {
        let secret = StandardWebhookSigner.generateSecret()
        #expect(secret.hasPrefix("whsec_"))
        let signer = try StandardWebhookSigner(encodedSecret: secret)
        let body = Array("{}".utf8)
        let headers = Dictionary(
            uniqueKeysWithValues: signer.headers(id: "evt_1", timestamp: 1_750_000_000, body: body))
        try signer.verify(
            id: headers["webhook-id"], timestamp: headers["webhook-timestamp"],
            signatures: "v1,bm90LWl0 " + headers["webhook-signature"]!, body: body, now: Self.now)
        let tampered = #expect(throws: ChatError.self) {
            try signer.verify(
                id: "evt_1", timestamp: "1750000000", signatures: headers["webhook-signature"], body: Array("{ }".utf8),
                now: Self.now)
        }
        #expect(tampered?.kind == .signatureMismatch)
        let stale = #expect(throws: ChatError.self) {
            try signer.verify(
                id: "evt_1", timestamp: "1750000000", signatures: headers["webhook-signature"], body: body,
                now: Self.now.addingTimeInterval(301))
        }
        #expect(stale?.kind == .staleTimestamp)
        let missing = #expect(throws: ChatError.self) {
            try signer.verify(id: nil, timestamp: "1", signatures: "v1,x", body: body, now: Self.now)
        }
        #expect(missing?.kind == .missingHeader)
    }

    @Test(arguments: ["", "whsec_", "whsec_!!!not base64!!!"])
    func badSecretsAreRefusedWithoutEchoingThem(secret: String) {
        let error = #expect(throws: ChatError.self) { try StandardWebhookSigner(encodedSecret: secret) }
        #expect(error?.kind == .invalidInput)
        if secret.count > 6 { #expect(error?.message.contains(secret) == false) }
    }

    @Test func eventsHaveStableIDsAndTheRequiredAttributes() throws {
        let summary = Fixtures.summary()
        let event = RequestEventType.granted.event(
            summary: summary, idempotencyKey: "\(Fixtures.uid)/granted", source: "/airlock/test", time: Self.now)
        let again = RequestEventType.granted.event(
            summary: summary, idempotencyKey: "\(Fixtures.uid)/granted", source: "/airlock/test", time: Self.now)
        #expect(event.id == again.id)
        #expect(event.structuredBody == again.structuredBody)
        #expect(event.id.hasPrefix("evt_") && event.id.count == 36)
        #expect(RequestEventType.eventID(idempotencyKey: "\(Fixtures.uid)/expired") != event.id)
        let json = try KubeJSON.decode(JSONValue.self, from: event.structuredBody)
        #expect(json["specversion"] == "1.0")
        #expect(json["type"] == "dev.airlock.request.granted")
        #expect(json["source"] == "/airlock/test")
        #expect(json["subject"] == "agents/fix-db")
        #expect(json["time"] == "2025-06-15T15:06:40.000000Z")
        #expect(json["datacontenttype"] == "application/json")
        #expect(json["data"]?["request"] == .string(Fixtures.reference.description))
        #expect(json["data"]?["risks"] == ["Destructive"])
    }
}
