import AirlockChat
import Foundation
import KubeCore
import KubeTesting
import Logging
import Testing

/// Real third-party peers: Slack's own SDK verifies our signatures and signs requests we
/// verify; the CloudEvents SDK parses and the Standard Webhooks library verifies the events
/// EventWebhookClient sends.
@Suite(.serialized) struct PythonPeerTests {
    static let verifyScript = #"""
        import json, sys
        try:
            from slack_sdk.signature import SignatureVerifier, Clock
        except ImportError as error:
            print("MISSING_MODULE", error.name, file=sys.stderr, flush=True)
            sys.exit(3)

        class Fixed(Clock):
            def __init__(self, now):
                self.at = now
            def now(self):
                return self.at

        results = []
        for case in json.load(sys.stdin):
            verifier = SignatureVerifier(case["secret"], clock=Fixed(float(case["now"])))
            results.append(verifier.is_valid_request(case["body"].encode("utf-8"), case["headers"]))
        print(json.dumps(results))
        """#

    static let signScript = #"""
        import json, sys
        try:
            from slack_sdk.signature import SignatureVerifier
        except ImportError as error:
            print("MISSING_MODULE", error.name, file=sys.stderr, flush=True)
            sys.exit(3)
        out = []
        for case in json.load(sys.stdin):
            verifier = SignatureVerifier(case["secret"])
            out.append(verifier.generate_signature(timestamp=case["timestamp"], body=case["body"]))
        print(json.dumps(out))
        """#

    @Test func aMissingPackageFailsWithTheInstallCommand() async throws {
        let script = """
            import sys
            try:
                import airlock_no_such_package
            except ImportError as error:
                print("MISSING_MODULE", error.name, file=sys.stderr, flush=True)
                sys.exit(3)
            """
        let error = await #expect(throws: KubeTestingError.self) { try await PythonPeer.run(script) }
        #expect(error?.message.contains("airlock_no_such_package") == true)
        #expect(error?.message.contains("python3 -m pip install slack_sdk==") == true)
    }

    @Test func slackSDKVerifiesTheFakesAndOurSignatures() async throws {
        try await FakeSlackServer.withServer(users: [.init(id: "U1", name: "alice", email: "a@example.com")]) { slack in
            let client = SlackClient(token: ChatSecret(slack.token), baseURL: slack.baseURL)
            let card = SlackApprovalCard(summary: Fixtures.summary())
            let ref = try await client.postMessage(SlackMessage(channel: "C0APPROVALS", content: card.pending()))
            let message = try #require(slack.message(channel: ref.channel, ts: ref.ts))
            let click = try slack.blockActions(
                clicking: SlackActionID.approveFor, on: message, user: "U1", option: "5m")
            let deny = try slack.blockActions(clicking: SlackActionID.deny, on: message, user: "U1")
            _ = try await client.openView(
                triggerID: try #require(deny.payload["trigger_id"]?.stringValue),
                view: SlackDenyModal(request: Fixtures.reference).view)
            let submission = slack.viewSubmission(
                of: try #require(slack.openedViews.first), user: "U1",
                values: ["reason": ["reason": "ünïcödé ✓ & more"]])
            let forged = try slack.blockActions(
                clicking: SlackActionID.approve, on: message, user: "U1", signingSecret: "wrong")
            var tampered = click
            tampered.body += "&x=1"
            let ours = Array("payload=%7B%22type%22%3A%22view_closed%22%7D".utf8)
            let ourHeaders = SlackSignature(signingSecret: ChatSecret(slack.signingSecret)).headers(
                body: ours, at: Date())

            let now = String(Int64(Date().timeIntervalSince1970))
            func testCase(_ body: String, _ headers: [String: String], now: String = now) -> JSONValue {
                [
                    "secret": .string(slack.signingSecret), "body": .string(body), "now": .string(now),
                    "headers": .object(headers.mapValues(JSONValue.string)),
                ]
            }
            let cases: JSONValue = [
                testCase(click.body, click.headers), testCase(submission.body, submission.headers),
                testCase(String(decoding: ours, as: UTF8.self), ourHeaders),
                testCase(forged.body, forged.headers), testCase(tampered.body, tampered.headers),
                testCase(click.body, click.headers, now: String(Int64(Date().timeIntervalSince1970) + 301)),
            ]
            let output = try await PythonPeer.run(Self.verifyScript, input: try KubeJSON.encode(cases))
            #expect(output.trimmed == "[true, true, true, false, false, false]")
        }
    }

    @Test func slackSignatureVerifiesWhatSlackSDKSigns() async throws {
        let secret = "8f742231b10e8888abcd99yyyzzz85a5"
        let bodies = [SlackSignatureTests.body, "payload=%7B%22a%22%3A%22%C3%BC%22%7D", ""]
        let timestamp = String(Int64(Date().timeIntervalSince1970))
        let cases: JSONValue = .array(
            bodies.map { ["secret": .string(secret), "timestamp": .string(timestamp), "body": .string($0)] }
                + [
                    [
                        "secret": "8f742231b10e8888abcd99yyyzzz85a5", "timestamp": "1531420618",
                        "body": .string(SlackSignatureTests.body),
                    ]
                ])
        let output = try await PythonPeer.run(Self.signScript, input: try KubeJSON.encode(cases))
        let signatures = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String])
        #expect(signatures.count == 4)
        #expect(signatures.last == SlackSignatureTests.expected)
        let verifier = SlackSignature(signingSecret: ChatSecret(secret))
        for (body, signature) in zip(bodies, signatures) {
            try verifier.verify(body: Array(body.utf8), timestamp: timestamp, signature: signature, now: Date())
            #expect(throws: ChatError.self) {
                try verifier.verify(
                    body: Array((body + " ").utf8), timestamp: timestamp, signature: signature, now: Date())
            }
        }
    }

    func send(
        _ type: RequestEventType, key: String, to receiver: PythonEventReceiver, signer: StandardWebhookSigner
    ) async throws(ChatError) -> EventWebhookClient.Delivery {
        var logger = Logger(label: "test.webhook")
        logger.logLevel = .critical
        let event = type.event(
            summary: Fixtures.summary(), idempotencyKey: key, source: "/airlock/test-cluster", time: Fixtures.created)
        return try await EventWebhookClient(logger: logger).send(event, to: receiver.url, signer: signer, now: Date())
    }

    @Test func cloudEventsAndStandardWebhooksAcceptTheEventsWeSend() async throws {
        let secret = StandardWebhookSigner.generateSecret()
        let signer = try StandardWebhookSigner(encodedSecret: secret)
        let receiver = try await PythonEventReceiver(secret: secret)
        defer { receiver.stop() }

        let granted = try await send(.granted, key: "\(Fixtures.uid)/granted", to: receiver, signer: signer)
        #expect(granted.status == 204)
        _ = try await send(.granted, key: "\(Fixtures.uid)/granted", to: receiver, signer: signer)  // at-least-once
        _ = try await send(.expired, key: "\(Fixtures.uid)/expired", to: receiver, signer: signer)
        let records = try await receiver.waitForRecords(3)
        for record in records {
            #expect(record["verified"] as? Bool == true, "\(record)")
            #expect(record["content_type"] as? String == "application/cloudevents+json; charset=UTF-8")
            #expect(record["specversion"] as? String == "1.0")
            #expect(record["source"] as? String == "/airlock/test-cluster")
            #expect(record["subject"] as? String == "agents/fix-db")
            #expect(record["time"] as? String == "2025-06-15T15:06:40.000000Z")
            #expect(record["webhook_id"] as? String == record["id"] as? String)
            #expect(record["core_id"] as? String == record["id"] as? String)
            let data = record["data"] as? [String: Any]
            #expect(data?["request"] as? String == Fixtures.reference.description)
            #expect(data?["reason"] as? String == "db-0 is wedged; restart it")
        }
        #expect(
            records.map { $0["type"] as? String } == [
                "dev.airlock.request.granted", "dev.airlock.request.granted", "dev.airlock.request.expired",
            ])
        #expect(records[0]["id"] as? String == granted.webhookID)
        #expect(
            records.map { $0["duplicate"] as? Bool } == [false, true, false], "the receiver drops the re-delivery by id"
        )
    }

    @Test func aWrongSecretIsRejectedByTheReceiver() async throws {
        let receiver = try await PythonEventReceiver(secret: StandardWebhookSigner.generateSecret())
        defer { receiver.stop() }
        let other = try StandardWebhookSigner(encodedSecret: StandardWebhookSigner.generateSecret())
        let error = await #expect(throws: ChatError.self) {
            try await send(.denied, key: "k", to: receiver, signer: other)
        }
        #expect(error?.kind == .api)
        #expect(error?.httpStatus == 400)
        #expect(error?.isRetryable == false)
        let records = try await receiver.waitForRecords(1)
        #expect(records.first?["verified"] as? Bool == false)
        #expect((records.first?["error"] as? String)?.contains("WebhookVerificationError") == true)
    }

    @Test func rateLimitsAndOutagesAreRetryableWithRetryAfter() async throws {
        let secret = StandardWebhookSigner.generateSecret()
        let signer = try StandardWebhookSigner(encodedSecret: secret)
        let receiver = try await PythonEventReceiver(secret: secret, faults: ["429:3", "503"])
        defer { receiver.stop() }
        let limited = await #expect(throws: ChatError.self) {
            try await send(.granted, key: "k", to: receiver, signer: signer)
        }
        #expect(limited?.kind == .rateLimited)
        #expect(limited?.retryAfterSeconds == 3)
        #expect(limited?.isRetryable == true)
        let down = await #expect(throws: ChatError.self) {
            try await send(.granted, key: "k", to: receiver, signer: signer)
        }
        #expect(down?.kind == .unavailable)
        #expect(down?.isRetryable == true)
        let delivered = try await send(.granted, key: "k", to: receiver, signer: signer)
        let records = try await receiver.waitForRecords(3)
        #expect(records.map { $0["webhook_id"] as? String } == Array(repeating: delivered.webhookID, count: 3))
        #expect(records.last?["verified"] as? Bool == true)
    }

    @Test func unreachableReceiversAreRetryableAndTheURLIsNotShown() async throws {
        let port = try FreePort.loopback(count: 1)[0]
        let signer = try StandardWebhookSigner(encodedSecret: StandardWebhookSigner.generateSecret())
        let event = RequestEventType.pending.event(
            summary: Fixtures.summary(), idempotencyKey: "k", source: "/s", time: Fixtures.created)
        var logger = Logger(label: "test.webhook")
        logger.logLevel = .critical
        let error = await #expect(throws: ChatError.self) {
            // AsyncHTTPClient retries a refused connection until the deadline: keep it short.
            try await EventWebhookClient(timeout: .seconds(1), logger: logger).send(
                event, to: "http://127.0.0.1:\(port)/hook?token=sekrit-in-url", signer: signer, now: Date())
        }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("sekrit-in-url") == false)
        #expect(error?.message.contains("http://127.0.0.1:\(port)") == true)
    }
}
