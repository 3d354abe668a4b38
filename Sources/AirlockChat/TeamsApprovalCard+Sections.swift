import AirlockAPI
import Foundation
import KubeCore

extension TeamsApprovalCard {
    private typealias E = AdaptiveCard

    /// Who, for whom, why, and exactly what (the Slack card's content, in Adaptive Card form).
    func detailElements() -> [JSONValue] {
        var facts = [("Requester", summary.requester.map(E.escape) ?? "not stamped")]
        if let owner = summary.requesterOwner { facts.append(("For owner", E.escape(owner))) }
        facts.append(("Grantee", E.escape(summary.grantee.description)))
        facts.append(("Duration", "\(summary.duration)"))
        var places = summary.targetNamespaces.map(E.escape)
        if summary.isClusterWide { places.append("**cluster-wide**") }
        facts.append(("Where", places.isEmpty ? "none" : places.joined(separator: ", ")))
        if let ticket = summary.ticket { facts.append(("Ticket", E.escape(ticket))) }
        var elements = [E.facts(facts, id: "details")]
        elements.append(E.text("**Reason**", id: "reasonHeading"))
        elements.append(E.text(E.escape(E.truncate(summary.reason, 2000)), id: "reason"))
        if !summary.risks.isEmpty {
            let lines = summary.risks.map { "⚠ **\($0.label)**: \(E.escape($0.consequence))" }
            elements.append(
                E.container(
                    [E.text("**Review carefully**", color: "Attention")] + [E.text(lines.joined(separator: "\n\n"))],
                    id: "risks", style: "attention"))
        }
        if !summary.permissions.isEmpty {
            elements.append(E.text("**Access asked**", id: "accessHeading"))
            elements.append(E.text(Self.lines(summary.permissions.map(Self.accessText)), id: "access"))
        }
        if let role = summary.role {
            let place = role.namespace.map { "in \(E.escape($0))" } ?? "**cluster-wide**"
            elements.append(
                E.text("**Role** \(role.kind.rawValue) \(E.escape(role.name)) bound \(place)", id: "roleHeading"))
            elements.append(
                E.text(
                    role.rules.map { Self.lines($0.map(Self.accessText)) }
                        ?? "_Rules not resolved yet: they are snapshotted when the request is evaluated._",
                    id: "role"))
        }
        return elements
    }

    /// `- prod: delete on pods named db-0 — ⚠ Destructive`.
    static func accessText(_ line: AccessLine) -> String {
        let place = line.namespace.map(E.escape) ?? "**cluster-wide**"
        var text =
            "- \(place): \(line.verbs.map(E.escape).joined(separator: ", ")) on "
            + line.qualifiedResources.map(E.escape).joined(separator: ", ")
        if let names = line.resourceNames { text += " named " + names.map(E.escape).joined(separator: ", ") }
        let marks = line.risks.filter { $0 != .clusterWide }
        if !marks.isEmpty { text += " — ⚠ " + marks.map(\.label).joined(separator: ", ") }
        return text
    }

    private static func lines(_ lines: [String]) -> String {
        guard lines.count > E.maxLines else { return lines.joined(separator: "\n") }
        return (lines.prefix(E.maxLines) + ["…and \(lines.count - E.maxLines) more"]).joined(separator: "\n")
    }

    /// Policy, approvals needed from whom, progress, the deadline, and the CLI command.
    func policyContext() -> [String] {
        var elements: [String] = []
        if let decision = summary.decision {
            let policies =
                decision.policies.isEmpty
                ? "the default policy" : "policy " + decision.policies.prefix(5).map(E.escape).joined(separator: ", ")
            switch decision.outcome {
            case .requireApproval:
                var text =
                    "Needs **\(decision.requiredApprovals)** approval\(decision.requiredApprovals == 1 ? "" : "s")"
                if let who = decision.reviewersDescription { text += " from \(E.escape(who))" }
                elements.append("\(text) (\(policies))")
            case .autoApprove: elements.append("Auto-approved by \(policies)")
            case .deny: elements.append("Denied by \(policies)")
            }
        } else {
            elements.append("Not evaluated yet")
        }
        if summary.phase == .pending {
            let approvers = summary.countedApprovers
            if !approvers.isEmpty {
                elements.append(
                    "Approved so far (\(approvers.count)/\(summary.requiredApprovals)): "
                        + approvers.map(E.escape).joined(separator: ", "))
            }
            if let deadline = summary.pendingDeadline {
                elements.append("Times out \(E.date(deadline)) if not approved")
            }
        }
        let rejected = summary.reviews.filter { !$0.counted }.count
        if rejected > 0 { elements.append("\(rejected) review\(rejected == 1 ? "" : "s") did not count") }
        elements.append(
            "From a terminal: kubectl airlock approve -n \(summary.request.namespace) \(summary.request.name)")
        return elements
    }

    /// The outcome and who brought it about.
    func outcomeText(_ outcome: ApprovalOutcome) -> String {
        switch outcome {
        case .pending(let approvers, let required):
            return "⏳ **Pending**: \(approvers.count) of \(required) approvals"
        case .granted(let approvers, let until):
            let by = approvers.isEmpty ? "by policy" : "by " + approvers.map(E.escape).joined(separator: ", ")
            var text = "✅ **\(outcome.title)** \(by)"
            if let grantedAt = summary.grantedAt, let expiresAt = summary.expiresAt {
                text += " for \(KubeDuration(seconds: Int64(expiresAt.timeIntervalSince(grantedAt).rounded())))"
            }
            return text + (until.map { ": access until \(E.date($0))" } ?? "")
        case .denied(let reviewer, let reason):
            let by = reviewer.map { "by \(E.escape($0))" } ?? "by policy"
            return "⛔ **Denied** \(by)" + (reason.map { "\n\n" + E.escape(E.truncate($0, 1000)) } ?? "")
        case .expired(let wasGranted, let at):
            let when = at.map { " at \(E.date($0))" } ?? ""
            return wasGranted
                ? "🔒 **Ended**: access expired\(when); grants removed" : "⌛ **Expired**: not approved in time\(when)"
        case .revoked(let reviewer, let byRequester, let comment):
            let who = reviewer.map(E.escape) ?? "someone"
            return (byRequester ? "🛑 **Released** by the requester \(who)" : "🛑 **Revoked** by \(who)")
                + "; grants removed" + (comment.map { "\n\n" + E.escape(E.truncate($0, 1000)) } ?? "")
        case .failed(let message):
            return "❌ **Failed**" + (message.map { ": " + E.escape(E.truncate($0, 1000)) } ?? "")
        }
    }
}
