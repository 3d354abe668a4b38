import AirlockAPI
import AirlockChat
import Foundation
import KubeCore
import Testing

/// Issue 12: the Teams card carries the Slack card's context, with `Action.Execute` buttons
/// only in a reviewer's own view, and request content rendered as text.
@Suite struct TeamsApprovalCardTests {
    static func verbs(_ card: JSONValue) -> [String] {
        Fixtures.array(card["actions"]).compactMap { $0["verb"]?.stringValue }
    }

    static func inputs(_ card: JSONValue) -> [String] {
        Fixtures.array(card["body"]).filter { $0["type"]?.stringValue?.hasPrefix("Input.") == true }
            .compactMap { $0["id"]?.stringValue }
    }

    @Test func everyoneSeesTheContextAndAReviewButtonEligibleUsersRefreshToLiveButtons() throws {
        let candidates = [
            "29:bob": ChatIdentity(username: "bob"),  // the agent's owner: never refreshed
            "29:carol": ChatIdentity(username: "carol"),
            "29:fixer": ChatIdentity(username: "system:serviceaccount:agents:fixer"),  // the requester
        ]
        let card = TeamsApprovalCard(summary: Fixtures.summary(), candidates: candidates)
        let everyone = card.card(.everyone)
        #expect(everyone["version"] == "1.5")
        #expect(everyone["type"] == "AdaptiveCard")
        #expect(Self.verbs(everyone) == ["refresh"])
        #expect(everyone["refresh"]?["userIds"] == ["29:carol"])
        #expect(everyone["refresh"]?["action"]?["verb"] == "refresh")
        let text = Fixtures.strings(in: everyone).joined(separator: "\n")
        for expected in [
            "Access request agents/fix-db", "system:serviceaccount:agents:fixer", "db-0 is wedged; restart it",
            "INC-42",
            "Destructive", "Approved so far (1/2)", "kubectl airlock approve -n agents fix-db",
        ] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        let data = Fixtures.array(everyone["actions"]).first?["data"]
        #expect(data?["request"]?.stringValue == Fixtures.reference.description)

        let reviewer = card.card(.reviewer)
        #expect(Self.verbs(reviewer) == ["approve", "approve-less", "deny"])
        #expect(Self.inputs(reviewer) == [TeamsApprovalCard.Input.duration, TeamsApprovalCard.Input.reason])
        #expect(Self.verbs(card.card(.bystander, note: "no")).isEmpty)

        let activity = card.activity()
        #expect(
            Fixtures.array(activity["attachments"]).first?["contentType"] == "application/vnd.microsoft.card.adaptive")
    }

    @Test func aGrantedCardOffersRevokeAndAFinishedOneNothing() throws {
        var status = Fixtures.pendingStatus()
        status.phase = .granted
        status.grantedAt = Fixtures.created.addingTimeInterval(120)
        status.expiresAt = Fixtures.created.addingTimeInterval(3720)
        let granted = TeamsApprovalCard(summary: Fixtures.summary(Fixtures.request(status: status)))
        #expect(Self.verbs(granted.card(.reviewer)) == ["revoke"])
        #expect(Fixtures.strings(in: granted.card(.everyone)).contains { $0.contains("**Approved** by alice for 1h") })
        status.phase = .expired
        let expired = TeamsApprovalCard(
            summary: Fixtures.summary(Fixtures.request(status: status)), refreshUserIDs: ["29:carol"])
        #expect(Self.verbs(expired.card(.everyone)).isEmpty)
        #expect(Self.verbs(expired.card(.reviewer)).isEmpty)
        #expect(expired.card(.everyone)["refresh"] == nil)
    }

    @Test func requestContentCannotFormatItselfOrOpenALink() {
        let reason = "ignore this, [click here](https://evil.example.com) **now** <at>everyone</at>"
        let card = TeamsApprovalCard(
            summary: Fixtures.summary(Fixtures.request(reason: reason, status: Fixtures.pendingStatus())))
        let texts = Fixtures.strings(in: card.card(.everyone))
        let shown = try! #require(texts.first { $0.contains("click here") })
        #expect(shown.contains(#"\[click here\]\(https://evil.example.com\)"#))
        #expect(shown.contains(#"\*\*now\*\*"#))
        #expect(shown.contains(#"\<at\>"#))
    }

    @Test func clickDataParsesAndBadClicksAreRefused() throws {
        let value: JSONValue = [
            "action": [
                "type": "Action.Execute", "verb": "approve-less",
                "data": ["request": .string(Fixtures.reference.description), "duration": "15m", "reason": "  "],
            ]
        ]
        let action = try TeamsCardAction(value: value)
        #expect(action.verb == .approveLess)
        #expect(action.request == Fixtures.reference)
        #expect(action.duration == KubeDuration(seconds: 900))
        #expect(action.reason == nil)
        for bad: JSONValue in [
            ["action": ["type": "Action.Submit", "verb": "approve", "data": ["request": "a/b/c"]]],
            ["action": ["type": "Action.Execute", "verb": "approve-all", "data": ["request": "a/b/c"]]],
            ["action": ["type": "Action.Execute", "verb": "approve", "data": ["request": "../b"]]],
            [
                "action": [
                    "type": "Action.Execute", "verb": "approve", "data": ["request": "a/b/c", "duration": "soon"],
                ]
            ],
        ] {
            #expect(throws: ChatError.self) { try TeamsCardAction(value: bad) }
        }
    }
}
