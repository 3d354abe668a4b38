import AirlockAPI
import AirlockChat
import AirlockController
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// Issue 10: every transition of a request the policy announces is POSTed to the webhook it
/// names as a CloudEvent signed the Standard Webhooks way, at least once with retries, with a
/// stable id per transition. The receiver is the Python `standardwebhooks` + `cloudevents`
/// pair, verifying every request.
@Suite(.serialized) struct EventWebhookDeliveryTests {
    @Test func aReceiverVerifiesEverySignatureAndSeesEachTransitionOncePerID() async throws {
        let secret = StandardWebhookSigner.generateSecret()
        // The first deliveries fail: a 503, then a 429 asking for a second.
        let receiver = try await PythonEventReceiver(secret: secret, faults: ["503", "429:1"])
        defer { receiver.stop() }
        try await ChatFixture.with("events") { chat in
            let hook = SecretKeyRef(name: "siem-events", key: "url")
            _ = try await chat.admin.create(
                Secret(
                    metadata: ObjectMeta(name: hook.name, namespace: chat.namespace),
                    data: ["url": Data(receiver.url.utf8), Notifier.webhookSigningSecretKey: Data(secret.utf8)]))
            try await chat.policy(webhook: hook)
            let request = try await chat.airlock.request("fix-db", by: "alice")
            let uid = try #require(request.metadata.uid)
            try await eventually("the pending event delivered", timeout: .seconds(20)) {
                receiver.records.contains { $0["type"] as? String == "dev.airlock.request.pending" }
            }
            try await chat.airlock.review("fix-db", by: "bob", decision: .approve)
            try await chat.airlock.waitFor("fix-db", .granted)
            // The requester releases the grant early.
            try await chat.airlock.review("fix-db", by: "alice", decision: .revoke)
            let revoked = try await chat.airlock.waitFor("fix-db", .revoked)

            let expected = DeliveryPlanner.transitions(of: revoked)
            #expect(
                expected.map(\.type.rawValue).sorted()
                    == [RequestEventType.pending, .reviewed, .granted, .reviewed, .revoked].map(\.rawValue).sorted())
            try await eventually("every transition delivered", timeout: .seconds(30)) {
                let ids = Set(receiver.records.compactMap { $0["id"] as? String })
                return expected.allSatisfy { ids.contains($0.id) }
            }
            let records = receiver.records
            let faulted = records.filter { $0["fault"] != nil }
            #expect(faulted.map { $0["fault"] as? Int } == [503, 429])
            let delivered = records.filter { $0["fault"] == nil }
            #expect(delivered.allSatisfy { $0["verified"] as? Bool == true }, "\(delivered)")
            #expect(delivered.allSatisfy { $0["duplicate"] as? Bool == false })
            // Each transition once, in the order they happened.
            let ids = delivered.compactMap { $0["id"] as? String }
            #expect(ids.count == expected.count && Set(ids) == Set(expected.map(\.id)))
            #expect(
                delivered.compactMap { $0["type"] as? String }
                    == ["pending", "reviewed", "granted", "reviewed", "revoked"].map { "dev.airlock.request.\($0)" })
            #expect(delivered.allSatisfy { $0["webhook_id"] as? String == $0["id"] as? String })
            #expect(delivered.allSatisfy { $0["source"] as? String == "/airlock/test" })
            #expect(delivered.allSatisfy { $0["subject"] as? String == "\(chat.namespace)/fix-db" })
            #expect(
                delivered.allSatisfy {
                    ($0["content_type"] as? String)?.hasPrefix("application/cloudevents+json") == true
                })
            let last = try #require(delivered.last?["data"] as? [String: Any])
            #expect(last["phase"] as? String == "Revoked")
            #expect(last["request"] as? String == "\(chat.namespace)/fix-db/\(uid)")

            // Recorded once the sends return.
            let state = try await eventuallyValue("every event recorded", timeout: .seconds(10)) {
                let state = try await chat.airlock.get("fix-db").status?.notifications?.first {
                    $0.channel == "webhook"
                }
                return state?.events?.count == expected.count ? state : nil
            }
            #expect(state.target == "siem-events/url")
            #expect(state.events == ids)
            #expect(state.delivered && state.lastError == nil)
            // Passes after delivery send nothing more.
            await chat.notifier.enqueue(request.key)
            try await chat.settle()
            #expect(receiver.records.count == records.count)
        }
    }

    @Test func aMissingSigningSecretIsReportedAndNothingIsSentUnsigned() async throws {
        let receiver = try await PythonEventReceiver(secret: StandardWebhookSigner.generateSecret())
        defer { receiver.stop() }
        try await ChatFixture.with("events-unsigned") { chat in
            let hook = SecretKeyRef(name: "unsigned", key: "url")
            _ = try await chat.admin.create(
                Secret(
                    metadata: ObjectMeta(name: hook.name, namespace: chat.namespace),
                    data: ["url": Data(receiver.url.utf8)]))
            try await chat.policy(webhook: hook)
            try await chat.airlock.request("fix-db", by: "alice")
            let state = try await eventuallyValue("the error recorded", timeout: .seconds(20)) {
                try await chat.airlock.get("fix-db").status?.notifications?.first {
                    $0.channel == "webhook" && $0.lastError != nil
                }
            }
            #expect(state.lastError?.contains("no key signing-secret") == true)
            #expect(state.delivered == false)
            #expect(receiver.records.isEmpty)
        }
    }
}
