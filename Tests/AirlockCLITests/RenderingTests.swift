import AirlockAPI
import Foundation
import KubeCore
import Testing

@testable import AirlockCLI

@Suite struct RenderingTests {
    let now = Requests.now

    @Test func summaryCountsApprovalsAndTimeLeft() {
        let summary = RequestSummary(Requests.pending, now: now)
        #expect(summary.phase == "Pending" && summary.phaseReason == "WaitingForApprovals")
        #expect(summary.approvals == .init(counted: 1, required: 2))
        #expect(summary.asks == ["delete pods/db-0 -n prod"])
        #expect(summary.secondsLeft == 840 && summary.requester == "alice")
        #expect(summary.decision?.reviewers == "group sre")
        #expect(summary.outcome == nil)
        let granted = RequestSummary(Requests.granted, now: now)
        #expect(granted.secondsLeft == 600 && granted.outcome?.granted == true)
        #expect(granted.approvals.required == nil)
    }

    @Test func listPutsPendingFirst() {
        var old = Requests.request(.denied, conditions: [("Denied", "True", "Wildcard", "no")], name: "old")
        old.metadata.creationTimestamp = now.addingTimeInterval(-60)
        var granted = Requests.granted
        granted.metadata.name = "granted"
        var pending = Requests.pending
        pending.metadata.name = "pending"
        let sorted = RequestSummary.sorted([old, granted, pending].map { RequestSummary($0, now: now) })
        #expect(sorted.map(\.name) == ["pending", "granted", "old"])
        let table = Rendering.table(sorted, allNamespaces: true, now: now, palette: .plain)
        let lines = table.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("NAMESPACE   NAME      PHASE     REQUESTER   ASKS"))
        #expect(
            lines[1].contains("pending") && lines[1].contains("1/2") && lines[1].contains("2m")
                && lines[1].contains("14m"))
        #expect(!table.contains("\u{1B}["), "no colour for a pipe")
        let coloured = Rendering.table(sorted, allNamespaces: false, now: now, palette: Palette(enabled: true))
        #expect(coloured.contains("\u{1B}[33mPending\u{1B}[0m"))
        #expect(Rendering.table([], allNamespaces: false, now: now, palette: .plain) == "No ActionRequests found.\n")
    }

    @Test func describeShowsDecisionReviewsAndGrants() {
        var request = Requests.pending
        request.status?.reviews?.append(
            ReviewRecord(
                reviewer: "alice", decision: .approve, at: now, channel: "kubernetes", counted: false,
                rejectedReason: "SelfApproval: alice is the requester"))
        request.status?.grants = [
            GrantRef(apiVersion: "v1", kind: "ServiceAccount", namespace: "agents", name: "sa", uid: "u")
        ]
        let text = Rendering.describe(RequestSummary(request, now: now), now: now, palette: .plain)
        #expect(text.contains("Phase:      Pending (WaitingForApprovals)"))
        #expect(text.contains("Decision:   RequireApproval by policy prod-deletes: requires 2 distinct approvals"))
        #expect(text.contains("bob Approve counted"))
        #expect(text.contains("alice Approve not counted") && text.contains("SelfApproval: alice is the requester"))
        #expect(text.contains("ServiceAccount agents/sa"))
        #expect(text.contains("Time left:  review closes in 14m"))
    }

    @Test func outcomeLines() {
        var outcome = RequestOutcome.of(Requests.granted)!
        outcome.kubeconfigPath = "/tmp/k"
        #expect(
            Rendering.outcome(outcome, palette: .plain)
                == "Granted: agents/delete-db-0 until 2023-11-14T22:23:20Z; kubeconfig written to /tmp/k")
        let denied = RequestOutcome(
            name: "x", namespace: "a", phase: "Denied", reason: "Wildcard", message: "no wildcards", exitCode: .denied)
        #expect(Rendering.outcome(denied, palette: .plain) == "Denied (Wildcard): a/x: no wildcards")
    }
}
