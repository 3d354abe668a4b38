import AirlockAPI
import AirlockChat
import Foundation
import KubeCore
import Testing

/// The interaction handler without a network: signature first, replay, parsing, mapping,
/// and the outcome for each button and the deny modal.
@Suite struct SlackInteractionHandlerTests {
    static let secret = "interaction-signing-secret"
    static let now = Date(timeIntervalSince1970: 1_750_000_100)
    let signer = SlackSignature(signingSecret: ChatSecret(secret))

    func handler(
        mapper: any ChatUserMapper = StaticUserMapper(users: ["U1": ChatIdentity(username: "alice", groups: ["sre"])]),
        teams: Set<String> = []
    ) -> SlackInteractionHandler {
        SlackInteractionHandler(signature: signer, mapper: mapper, allowedTeamIDs: teams)
    }

    /// `payload=<json>`, form-encoded, with Slack's headers signed by `secret`.
    static func request(_ payload: JSONValue, secret: String = secret, at: Date = now) -> ([UInt8], [String: String]) {
        let json = String(decoding: try! KubeJSON.encode(payload), as: UTF8.self)
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = Array(("payload=" + json.addingPercentEncoding(withAllowedCharacters: allowed)!).utf8)
        let headers = SlackSignature(signingSecret: ChatSecret(secret)).headers(body: body, at: at)
        return (body, headers)
    }

    static func click(
        _ actionID: String, value: String? = Fixtures.reference.description, option: String? = nil,
        user: String = "U1", blocks: [JSONValue] = [], actionTS: String = "1750000099.000100"
    ) -> JSONValue {
        var action: [String: JSONValue] = [
            "action_id": .string(actionID), "block_id": "airlock_review", "action_ts": .string(actionTS),
        ]
        if let value { action["value"] = .string(value) }
        if let option { action["selected_option"] = ["value": .string(option)] }
        return [
            "type": "block_actions", "user": ["id": .string(user), "username": "alice-handle", "team_id": "T1"],
            "team": ["id": "T1"], "channel": ["id": "C1"],
            "message": ["ts": "1750000000.000100", "blocks": .array(blocks)],
            "trigger_id": "trigger-1", "response_url": "https://hooks.slack.com/actions/T1/1/abc",
            "actions": [.object(action)],
        ]
    }

    static func submission(reason: String, user: String = "U1", metadata: String? = nil) -> JSONValue {
        let modal = SlackDenyModal(
            request: Fixtures.reference, message: SlackMessageRef(channel: "C1", ts: "1750000000.000100"))
        return [
            "type": "view_submission", "user": ["id": .string(user), "username": "alice-handle"], "team": ["id": "T1"],
            "view": [
                "id": "V1", "callback_id": .string(SlackActionID.denyModalCallback),
                "private_metadata": .string(metadata ?? modal.privateMetadata),
                "state": ["values": ["reason": ["reason": ["type": "plain_text_input", "value": .string(reason)]]]],
            ],
        ]
    }

    func handle(_ payload: JSONValue, secret: String = secret, at: Date = now) async -> SlackInteractionOutcome {
        let (body, headers) = Self.request(payload, secret: secret, at: at)
        return await handler().handle(body: body, headers: headers, now: Self.now)
    }

    @Test func approveBecomesAnIntentForTheMappedUser() async throws {
        guard case .submitReview(let intent) = await handle(Self.click(SlackActionID.approve)) else {
            Issue.record("expected a review")
            return
        }
        #expect(intent.request == Fixtures.reference)
        #expect(intent.decision == .approve)
        #expect(intent.duration == nil)
        #expect(intent.username == "alice")
        #expect(intent.groups == ["sre"])
        #expect(intent.externalUser == "U1")
        #expect(intent.externalUsername == "alice-handle")
        #expect(intent.channel == "slack")
        #expect(intent.onBehalfOf == OnBehalfOf(username: "alice", channel: "slack", externalUser: "U1"))
        #expect(intent.message == SlackMessageRef(channel: "C1", ts: "1750000000.000100"))
        #expect(intent.source == .button)
        #expect(intent.reviewName.hasPrefix("slack-"))
        #expect(intent.reviewName.count == 30)
        let answer = SlackHTTPAnswer.reviewRecorded(intent)
        #expect(answer.status == 200)
        #expect(answer.followUp?.text == "Your approval of agents/fix-db was recorded as alice.")
    }

    @Test func theSameClickAlwaysHasTheSameKeyAndAnotherClickAnother() async throws {
        let first = Self.click(SlackActionID.approve, actionTS: "1750000099.000100")
        let second = Self.click(SlackActionID.approve, actionTS: "1750000099.000200")
        guard case .submitReview(let a) = await handle(first),
            case .submitReview(let b) = await handle(first, at: Self.now.addingTimeInterval(1)),
            case .submitReview(let c) = await handle(second)
        else {
            Issue.record("expected reviews")
            return
        }
        #expect(a.idempotencyKey == b.idempotencyKey)
        #expect(a.idempotencyKey != c.idempotencyKey)
    }

    @Test func approveForLessCarriesTheShorterDuration() async throws {
        let payload = Self.click(SlackActionID.approveFor, value: nil, option: "15m|\(Fixtures.reference)")
        guard case .submitReview(let intent) = await handle(payload) else {
            Issue.record("expected a review")
            return
        }
        #expect(intent.decision == .approve)
        #expect(intent.duration == KubeDuration(seconds: 900))
        #expect(intent.request == Fixtures.reference)
    }

    @Test func approveForLessWithoutReferenceUsesTheCardsApproveButton() async throws {
        let card = SlackApprovalCard(summary: Fixtures.summary()).pending()
        let payload = Self.click(SlackActionID.approveFor, value: nil, option: "30m", blocks: card.blocks)
        guard case .submitReview(let intent) = await handle(payload) else {
            Issue.record("expected a review")
            return
        }
        #expect(intent.duration == KubeDuration(seconds: 1800))
        #expect(intent.request == Fixtures.reference)
    }

    @Test func revokeBecomesARevokeIntent() async throws {
        guard case .submitReview(let intent) = await handle(Self.click(SlackActionID.revoke)) else {
            Issue.record("expected a review")
            return
        }
        #expect(intent.decision == .revoke)
    }

    @Test func denyOpensTheReasonModal() async throws {
        guard case .openModal(let trigger, let view, let responseURL) = await handle(Self.click(SlackActionID.deny))
        else {
            Issue.record("expected a modal")
            return
        }
        #expect(trigger == "trigger-1")
        #expect(responseURL == "https://hooks.slack.com/actions/T1/1/abc")
        let metadata = try #require(view["private_metadata"]?.stringValue)
        let modal = try SlackDenyModal(privateMetadata: metadata)
        #expect(modal.request == Fixtures.reference)
        #expect(modal.message == SlackMessageRef(channel: "C1", ts: "1750000000.000100"))
        #expect(
            SlackInteractionOutcome.openModal(triggerID: trigger, view: view, responseURL: nil).immediateAnswer == .ok)
    }

    @Test func submittedModalBecomesADenyWithTheReason() async throws {
        guard case .submitReview(let intent) = await handle(Self.submission(reason: "  use the runbook first \n"))
        else {
            Issue.record("expected a review")
            return
        }
        #expect(intent.decision == .deny)
        #expect(intent.comment == "use the runbook first")
        #expect(intent.source == .modal)
        #expect(intent.message == SlackMessageRef(channel: "C1", ts: "1750000000.000100"))
        #expect(SlackHTTPAnswer.reviewRecorded(intent) == .ok)
        let refused = SlackHTTPAnswer.reviewRefused(intent, reason: "the request is already decided")
        #expect(refused.body.contains(#""response_action":"errors""#))
        #expect(refused.body.contains("already decided"))
    }

    @Test func anEmptyOrTooLongReasonKeepsTheModalOpen() async throws {
        for reason in ["   ", String(repeating: "x", count: 3001)] {
            guard case .respond(let answer) = await handle(Self.submission(reason: reason)) else {
                Issue.record("expected an answer")
                return
            }
            #expect(answer.status == 200)
            #expect(answer.body.contains(#""errors":{"reason":"#))
        }
    }

    @Test func signatureIsCheckedBeforeAnythingIsParsed() async throws {
        // Garbage body with a bad signature: 401, not 400 (nothing was parsed).
        let body = Array("not a form body %%%".utf8)
        let headers = [
            "x-slack-request-timestamp": "1750000100", "x-slack-signature": "v0=" + String(repeating: "0", count: 64),
        ]
        guard case .respond(let refused) = await handler().handle(body: body, headers: headers, now: Self.now) else {
            Issue.record("expected an answer")
            return
        }
        #expect(refused.status == 401)
        #expect(refused.body.contains("signature does not match"))
        // Same garbage, correctly signed: now it is parsed, and refused as malformed.
        let signed = signer.headers(body: body, at: Self.now)
        guard case .respond(let answer) = await handler().handle(body: body, headers: signed, now: Self.now) else {
            Issue.record("expected an answer")
            return
        }
        #expect(answer.status == 400)
    }

    @Test func forgedStaleOrUnsignedRequestsGet401() async throws {
        let payload = Self.click(SlackActionID.approve)
        for outcome in [
            await handle(payload, secret: "wrong-secret"),
            await handle(payload, at: Self.now.addingTimeInterval(-301)),
        ] {
            guard case .respond(let answer) = outcome else {
                Issue.record("expected an answer")
                return
            }
            #expect(answer.status == 401)
        }
        let (body, _) = Self.request(payload)
        guard case .respond(let answer) = await handler().handle(body: body, headers: [:], now: Self.now) else {
            Issue.record("expected an answer")
            return
        }
        #expect(answer.status == 401)
        #expect(answer.body.contains("X-Slack-Request-Timestamp"))
    }

    @Test func aReplayedRequestGets401() async throws {
        let handler = handler()
        let (body, headers) = Self.request(Self.click(SlackActionID.approve))
        guard case .submitReview = await handler.handle(body: body, headers: headers, now: Self.now) else {
            Issue.record("the first delivery should count")
            return
        }
        guard
            case .respond(let answer) = await handler.handle(
                body: body, headers: headers, now: Self.now.addingTimeInterval(5))
        else {
            Issue.record("expected an answer")
            return
        }
        #expect(answer.status == 401)
        #expect(answer.body.contains("replay"))
    }

    @Test func anUnmappedUserGetsANoteAndNoReview() async throws {
        guard case .respond(let answer) = await handle(Self.click(SlackActionID.approve, user: "U999")) else {
            Issue.record("expected an answer")
            return
        }
        #expect(answer.status == 200)
        #expect(answer.followUp?.responseURL == "https://hooks.slack.com/actions/T1/1/abc")
        #expect(answer.followUp?.text.contains("not mapped to a Kubernetes user") == true)
        guard case .respond(let modal) = await handle(Self.submission(reason: "no", user: "U999")) else {
            Issue.record("expected an answer")
            return
        }
        #expect(modal.body.contains("not mapped"))
    }

    @Test func aFailingLookupAsksToTryAgain() async throws {
        struct Down: ChatUserMapper {
            func identity(for user: ChatUser) async throws(ChatError) -> ChatIdentity? {
                throw ChatError(.unavailable, "Slack users.info is unreachable")
            }
        }
        let (body, headers) = Self.request(Self.click(SlackActionID.approve))
        guard
            case .respond(let answer) = await handler(mapper: Down()).handle(
                body: body, headers: headers, now: Self.now)
        else {
            Issue.record("expected an answer")
            return
        }
        #expect(answer.followUp?.text.contains("try again") == true)
    }

    @Test func otherWorkspacesAreRefusedWhenTeamsAreListed() async throws {
        let (body, headers) = Self.request(Self.click(SlackActionID.approve))
        guard
            case .respond(let answer) = await handler(teams: ["T2"]).handle(body: body, headers: headers, now: Self.now)
        else {
            Issue.record("expected an answer")
            return
        }
        #expect(answer.status == 403)
    }

    @Test func malformedReferencesAndUnknownActionsDoNothing() async throws {
        guard case .respond(let bad) = await handle(Self.click(SlackActionID.approve, value: "agents/fix-db")) else {
            Issue.record("expected an answer")
            return
        }
        #expect(bad.status == 400)
        #expect(await handle(Self.click("something_else")) == .respond(.ok))
        #expect(await handle(["type": "view_closed", "user": ["id": "U1"]]) == .respond(.ok))
    }
}

/// Parsing of Slack's form bodies and payloads.
@Suite struct SlackInteractionParsingTests {
    @Test func parsesBlockActions() throws {
        let (body, _) = SlackInteractionHandlerTests.request(
            SlackInteractionHandlerTests.click(SlackActionID.approveFor, value: nil, option: "5m"))
        guard case .blockActions(let payload) = try SlackInteraction(formBody: body) else {
            Issue.record("expected block_actions")
            return
        }
        #expect(payload.user == SlackUserRef(id: "U1", username: "alice-handle", teamID: "T1"))
        #expect(payload.teamID == "T1")
        #expect(payload.message == SlackMessageRef(channel: "C1", ts: "1750000000.000100"))
        #expect(payload.triggerID == "trigger-1")
        #expect(payload.actions.first?.selectedOptionValue == "5m")
        #expect(payload.actions.first?.actionTS == "1750000099.000100")
    }

    @Test func parsesViewSubmissions() throws {
        let (body, _) = SlackInteractionHandlerTests.request(
            SlackInteractionHandlerTests.submission(reason: "a + b = c & d"))
        guard case .viewSubmission(let payload) = try SlackInteraction(formBody: body) else {
            Issue.record("expected view_submission")
            return
        }
        #expect(payload.callbackID == SlackActionID.denyModalCallback)
        #expect(payload.values["reason"]?["reason"] == "a + b = c & d")
        #expect(payload.viewID == "V1")
    }

    @Test func plusIsASpaceInFormBodies() throws {
        let body = Array(
            #"payload=%7B%22type%22%3A%22view_closed%22%2C%22user%22%3A%7B%22id%22%3A%22U+1%22%7D%7D"#.utf8)
        #expect(try SlackInteraction(formBody: body) == .other(type: "view_closed"))
    }

    @Test(arguments: ["", "payload=", "payload=%7B", "payload=%ZZ", "other=1", "payload=%5B%5D", "payload=%7B%7D"])
    func malformedBodiesAreRefused(body: String) {
        let error = #expect(throws: ChatError.self) { try SlackInteraction(formBody: Array(body.utf8)) }
        #expect(error?.kind == .malformedPayload)
    }

    @Test func referencesParseStrictly() throws {
        #expect(try ChatRequestReference(parsing: "agents/fix-db/\(Fixtures.uid)") == Fixtures.reference)
        for bad in ["agents/fix-db", "a/b/c/d", "Agents/fix-db/u", "agents//u", "agents/fix db/u", "agents/x/u<"] {
            #expect(throws: ChatError.self) { try ChatRequestReference(parsing: bad) }
        }
    }
}
