import AirlockAPI
import AirlockChat
import Foundation
import KubeCore
import Testing

/// The Block Kit card: content, buttons, marks, limits, decided renderings, thread replies.
@Suite struct SlackApprovalCardTests {
    func element(_ content: SlackMessageContent, _ actionID: String) -> JSONValue? {
        Fixtures.elements(content.blocks).first { $0["action_id"]?.stringValue == actionID }
    }

    @Test func pendingCardShowsTheRequestAndOffersTheThreeChoices() throws {
        let card = SlackApprovalCard(summary: Fixtures.summary()).pending()
        let text = Fixtures.text(card.blocks)
        for expected in [
            "system:serviceaccount:agents:fixer", "for owner `bob`", "new ephemeral ServiceAccount", "INC-42",
            "&gt; db-0 is wedged; restart it", "`prod`", "*`delete`*", "`pods`", "named `db-0`",
            ":warning: Destructive",
            "Needs *2* approvals from user alice or group sre", "policy `prod-writes`",
            "Approved so far (1/2): `alice`",
            "Times out <!date^1750003600^", "1h",
        ] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        #expect(card.text.contains("system:serviceaccount:agents:fixer asks for delete on pods in prod for 1h"))

        let approve = try #require(element(card, SlackActionID.approve))
        #expect(approve["style"]?.stringValue == "primary")
        #expect(approve["value"]?.stringValue == Fixtures.reference.description)
        #expect(approve["confirm"] != nil, "destructive access asks for confirmation")
        let deny = try #require(element(card, SlackActionID.deny))
        #expect(deny["style"]?.stringValue == "danger")
        #expect(deny["value"]?.stringValue == Fixtures.reference.description)
        let select = try #require(element(card, SlackActionID.approveFor))
        #expect(select["type"]?.stringValue == "static_select")
        let values = Fixtures.array(select["options"]).compactMap { $0["value"]?.stringValue }
        #expect(values == ["5m", "15m", "30m"].map { "\($0)|\(Fixtures.reference)" })
        #expect(element(card, SlackActionID.revoke) == nil)
    }

    @Test(arguments: [("5m", [String]()), ("20m", ["5m", "15m"]), ("8h", ["5m", "15m", "30m", "1h", "2h", "4h"])])
    func approveForLessOffersOnlyShorterDurations(duration: String, offered: [String]) throws {
        let summary = try ApprovalSummary(request: Fixtures.request(duration: duration))
        let card = SlackApprovalCard(summary: summary).pending()
        let select = element(card, SlackActionID.approveFor)
        if offered.isEmpty {
            #expect(select == nil)
        } else {
            let values = Fixtures.strings(in: select?["options"] ?? .null).filter { $0.contains("|") }
            #expect(values.map { String($0.prefix { $0 != "|" }) } == offered)
        }
    }

    @Test func aLongNameKeepsOptionValuesWithinSlacksLimit() throws {
        var request = Fixtures.request()
        request.metadata.name = String(repeating: "n", count: 200)
        let card = SlackApprovalCard(summary: try ApprovalSummary(request: request)).pending()
        let select = try #require(element(card, SlackActionID.approveFor))
        let values = Fixtures.strings(in: select["options"] ?? .null).filter { $0.hasSuffix("m") && $0.count < 5 }
        #expect(values == ["5m", "15m", "30m"])
        #expect(element(card, SlackActionID.approve)?["value"]?.stringValue?.count ?? 0 <= 2000)
    }

    @Test func requestContentIsEscapedSoItCannotMentionOrLink() throws {
        let summary = try ApprovalSummary(
            request: Fixtures.request(reason: "<!channel> please <https://evil.example|click> & approve"))
        let card = SlackApprovalCard(summary: summary).pending()
        #expect(!card.text.contains("<!channel>"), "the notification text is formatted by Slack too")
        let text = Fixtures.text(card.blocks)
        #expect(!text.contains("<!channel>"))
        #expect(!text.contains("<https://evil"))
        #expect(text.contains("&lt;!channel&gt; please &lt;https://evil.example|click&gt; &amp; approve"))
    }

    @Test func hugeRequestsStayWithinSlacksLimits() throws {
        let names = (0..<500).map { "pod-\($0)" }
        let rules = (0..<200).map {
            PermissionRule(
                namespace: "ns-\($0)", apiGroups: ["", "apps"], resources: ["pods", "deployments"],
                verbs: ["get", "delete"], resourceNames: names)
        }
        let summary = try ApprovalSummary(
            request: Fixtures.request(
                permissions: rules, reason: String(repeating: "very long reason ", count: 400),
                ticket: String(repeating: "T", count: 3000), status: Fixtures.pendingStatus()))
        for content in [SlackApprovalCard(summary: summary).pending(), SlackApprovalCard(summary: summary).decided()] {
            #expect(content.blocks.count <= 50)
            for block in content.blocks {
                if let text = block["text"]?["text"]?.stringValue { #expect(text.count <= 3000) }
                for field in Fixtures.strings(in: block["fields"] ?? .null) { #expect(field.count <= 2000) }
            }
            for element in Fixtures.elements(content.blocks) {
                if let text = element["text"]?["text"]?.stringValue { #expect(text.count <= 75) }
            }
        }
        let access = try #require(
            SlackApprovalCard(summary: summary).pending().blocks.first {
                $0["block_id"]?.stringValue == "airlock_access"
            })
        let text = try #require(access["text"]?["text"]?.stringValue)
        #expect(text.contains("…and "))
        #expect(text.contains(" more"))
        #expect(text.contains("`pod-9` …and 490 more"))
    }

    @Test func aRoleIsShownWithItsResolvedRules() throws {
        var status = ActionRequestStatus(phase: .pending)
        status.roleSnapshot = RoleSnapshot(
            kind: .clusterRole, name: "edit", namespace: nil,
            rules: [PolicyRule(apiGroups: [""], resources: ["pods/exec"], verbs: ["create"])])
        let summary = try ApprovalSummary(
            request: Fixtures.request(
                permissions: nil, roleRef: TargetRoleRef(kind: .clusterRole, name: "edit", namespace: "prod"),
                status: status))
        let text = Fixtures.text(SlackApprovalCard(summary: summary).pending().blocks)
        #expect(text.contains("*Role* ClusterRole `edit` bound in `prod`, which allows:"))
        #expect(text.contains("`pods/exec`"))
        #expect(text.contains("Runs commands in workloads"))
        let unresolved = try ApprovalSummary(
            request: Fixtures.request(
                permissions: nil, roleRef: TargetRoleRef(kind: .clusterRole, name: "edit", namespace: nil)))
        let other = Fixtures.text(SlackApprovalCard(summary: unresolved).pending().blocks)
        #expect(other.contains("Rules not resolved yet"))
        #expect(other.contains(":warning: *cluster-wide*"))
    }

    @Test func decidedCardsReplaceTheButtonsWithTheOutcome() throws {
        let at = Fixtures.created
        func card(
            _ phase: ActionRequestPhase, _ reviews: [ReviewRecord], granted: Bool = false
        ) throws
            -> SlackMessageContent
        {
            var status = Fixtures.pendingStatus()
            status.phase = phase
            status.reviews = reviews
            if granted {
                status.grantedAt = at
                status.expiresAt = at.addingTimeInterval(900)
            }
            return SlackApprovalCard(summary: try ApprovalSummary(request: Fixtures.request(status: status))).current()
        }
        let alice = ReviewRecord(
            reviewer: "alice", decision: .approve, at: at, channel: "slack", duration: KubeDuration(seconds: 900),
            counted: true)
        let bob = ReviewRecord(reviewer: "bob", decision: .approve, at: at, channel: "slack", counted: true)

        let granted = try card(.granted, [alice, bob], granted: true)
        #expect(Fixtures.text(granted.blocks).contains(":white_check_mark: *Approved* by `alice`, `bob` for 15m"))
        #expect(granted.text.hasPrefix("Approved: "))
        let ids = Fixtures.elements(granted.blocks).compactMap { $0["action_id"]?.stringValue }
        #expect(ids == [SlackActionID.revoke])

        let denied = try card(
            .denied,
            [ReviewRecord(reviewer: "carol", decision: .deny, at: at, channel: "slack", comment: "no", counted: true)])
        #expect(Fixtures.text(denied.blocks).contains(":no_entry: *Denied* by `carol`\n&gt; no"))
        #expect(Fixtures.elements(denied.blocks).isEmpty)

        let expired = try card(.expired, [])
        #expect(Fixtures.text(expired.blocks).contains("*Expired*: not approved in time"))
        #expect(Fixtures.elements(expired.blocks).isEmpty)

        let revoked = try card(
            .revoked,
            [alice, ReviewRecord(reviewer: "dave", decision: .revoke, at: at, channel: "slack", counted: true)],
            granted: true)
        #expect(Fixtures.text(revoked.blocks).contains("*Revoked* by `dave`; grants removed"))
        #expect(Fixtures.elements(revoked.blocks).isEmpty)
    }

    @Test func threadRepliesSayWhatHappened() throws {
        var status = Fixtures.pendingStatus()
        status.phase = .granted
        status.grantedAt = Fixtures.created
        status.expiresAt = Fixtures.created.addingTimeInterval(900)
        let summary = try ApprovalSummary(request: Fixtures.request(status: status))
        #expect(SlackThreadReply.granted(summary).contains(":key: Access granted to a new ephemeral ServiceAccount"))
        #expect(SlackThreadReply.granted(summary).contains("approved by `alice`"))
        #expect(
            SlackThreadReply.endingSoon(summary, now: Fixtures.created.addingTimeInterval(600))
                .contains("Access ends in 5 minutes"))
        #expect(SlackThreadReply.ended(summary).contains("Access ended at <!date^1750000900^"))
        status.phase = .revoked
        status.reviews?.append(
            ReviewRecord(
                reviewer: "dave", decision: .revoke, at: Fixtures.created, channel: "slack", comment: "done <@U1>",
                counted: true))
        let revoked = SlackThreadReply.revoked(try ApprovalSummary(request: Fixtures.request(status: status)))
        #expect(revoked.contains("revoked by `dave`"))
        #expect(revoked.contains("&gt; done &lt;@U1&gt;"))
    }

    @Test func denyModalCarriesTheReferenceAndRequiresAReason() throws {
        let modal = SlackDenyModal(request: Fixtures.reference, message: SlackMessageRef(channel: "C1", ts: "1.2"))
        let view = modal.view
        #expect(view["callback_id"]?.stringValue == SlackActionID.denyModalCallback)
        let metadata = try #require(view["private_metadata"]?.stringValue)
        #expect(metadata.count <= 3000)
        #expect(try SlackDenyModal(privateMetadata: metadata) == modal)
        guard case .array(let blocks)? = view["blocks"] else {
            Issue.record("the modal has no blocks")
            return
        }
        let input = try #require(blocks.first { $0["type"]?.stringValue == "input" })
        #expect(input["block_id"]?.stringValue == SlackActionID.denyReasonBlock)
        #expect(input["optional"] == nil)
        #expect(input["element"]?["action_id"]?.stringValue == SlackActionID.denyReasonAction)
        #expect(input["element"]?["multiline"] == .bool(true))
        #expect(input["element"]?["max_length"] == .number(3000))
        let error = #expect(throws: ChatError.self) { try SlackDenyModal(privateMetadata: "{\"request\":\"x\"}") }
        #expect(error?.kind == .malformedPayload)
    }
}
