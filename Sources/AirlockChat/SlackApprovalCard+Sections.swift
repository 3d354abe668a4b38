import AirlockAPI
import Foundation
import KubeCore

extension SlackApprovalCard {
    /// Who, for whom, why, and exactly what: the blocks both renderings share.
    func detailBlocks() -> [JSONValue] {
        var blocks: [JSONValue] = []
        var requester = summary.requester.map(SlackText.code) ?? "_not stamped_"
        if let owner = summary.requesterOwner { requester += "\nfor owner \(SlackText.code(owner))" }
        var fields = [
            "*Requester*\n\(requester)",
            "*Grantee*\n\(SlackText.escape(summary.grantee.description))",
            "*Duration*\n\(summary.duration)",
            "*Where*\n\(whereFieldText())",
        ]
        if let ticket = summary.ticket { fields.append("*Ticket*\n\(SlackText.escape(ticket))") }
        blocks.append(SlackBlocks.fields(fields, blockID: "airlock_details"))
        blocks.append(
            SlackBlocks.section(
                SlackText.truncate("*Reason*\n" + SlackText.quote(summary.reason), SlackText.Limit.sectionText),
                blockID: "airlock_reason"))
        if !summary.risks.isEmpty {
            let lines = summary.risks.map { ":warning: *\($0.label)*: \(SlackText.escape($0.consequence))" }
            blocks.append(
                SlackBlocks.section(SlackText.lines(lines, heading: "*Review carefully*"), blockID: "airlock_risks"))
        }
        if !summary.permissions.isEmpty {
            blocks.append(
                SlackBlocks.section(
                    SlackText.lines(summary.permissions.map(Self.accessText), heading: "*Access asked*"),
                    blockID: "airlock_access"))
        }
        if let role = summary.role {
            let place = role.namespace.map { "in \(SlackText.code($0))" } ?? "*cluster-wide*"
            let heading = "*Role* \(role.kind.rawValue) \(SlackText.code(role.name)) bound \(place)"
            let text =
                role.rules.map { SlackText.lines($0.map(Self.accessText), heading: heading + ", which allows:") }
                ?? heading + "\n_Rules not resolved yet: they are snapshotted when the request is evaluated._"
            blocks.append(SlackBlocks.section(text, blockID: "airlock_role"))
        }
        return blocks
    }

    private func whereFieldText() -> String {
        var places = summary.targetNamespaces.map(SlackText.code)
        if summary.isClusterWide { places.append(":warning: *cluster-wide*") }
        return places.isEmpty ? "_none_" : SlackText.list(places)
    }

    /// `• `prod`: `delete` on `pods` named `db-0` — :warning: Destructive`.
    static func accessText(_ line: AccessLine) -> String {
        let place = line.namespace.map(SlackText.code) ?? "*cluster-wide*"
        let verbs = SlackText.list(
            line.verbs.map { isAlarming(verb: $0) ? "*\(SlackText.code($0))*" : SlackText.code($0) })
        var text = "• \(place): \(verbs) on \(SlackText.list(line.qualifiedResources.map(SlackText.code)))"
        if let names = line.resourceNames {
            text += " named \(SlackText.list(names.map(SlackText.code)))"
        }
        let marks = line.risks.filter { $0 != .clusterWide }
        if !marks.isEmpty { text += " — :warning: " + marks.map(\.label).joined(separator: ", ") }
        return text
    }

    private static func isAlarming(verb: String) -> Bool {
        ["delete", "deletecollection", "*", "escalate", "bind", "impersonate"].contains(verb.lowercased())
    }

    /// Policy, approvals needed from whom, progress, and the pending deadline.
    func policyContext() -> [String] {
        var elements: [String] = []
        if let decision = summary.decision {
            let policies =
                decision.policies.isEmpty
                ? "the default policy" : "policy " + SlackText.list(decision.policies.map(SlackText.code), maximum: 5)
            switch decision.outcome {
            case .requireApproval:
                var text = "Needs *\(decision.requiredApprovals)* approval\(decision.requiredApprovals == 1 ? "" : "s")"
                if let who = decision.reviewersDescription { text += " from \(SlackText.escape(who))" }
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
                        + SlackText.list(approvers.map(SlackText.code)))
            }
            if let deadline = summary.pendingDeadline {
                elements.append("Times out \(SlackText.date(deadline)) if not approved")
            }
        }
        let rejected = summary.reviews.filter { !$0.counted }.count
        if rejected > 0 { elements.append("\(rejected) review\(rejected == 1 ? "" : "s") did not count") }
        elements.append("`kubectl airlock describe -n \(summary.request.namespace) \(summary.request.name)`")
        return elements
    }

    /// The outcome and who brought it about, for the decided card.
    func outcomeText(_ outcome: ApprovalOutcome) -> String {
        let text: String
        switch outcome {
        case .pending(let approvers, let required):
            text = ":hourglass_flowing_sand: *Pending*: \(approvers.count) of \(required) approvals"
        case .granted(let approvers, let until):
            let by =
                approvers.isEmpty
                ? "by policy" : "by " + SlackText.list(approvers.map(SlackText.code))
            let approvedFor = grantedDuration().map { " for \($0)" } ?? ""
            text =
                ":white_check_mark: *\(Self.title(of: outcome))* \(by)\(approvedFor)"
                + (until.map { ": access until \(SlackText.date($0))" } ?? "")
        case .denied(let reviewer, let reason):
            let by = reviewer.map { "by \(SlackText.code($0))" } ?? "by policy"
            text = ":no_entry: *Denied* \(by)" + (reason.map { "\n" + SlackText.quote($0) } ?? "")
        case .expired(let wasGranted, let at):
            let when = at.map { " at \(SlackText.date($0))" } ?? ""
            text =
                wasGranted
                ? ":lock: *Ended*: access expired\(when); grants removed"
                : ":hourglass: *Expired*: not approved in time\(when)"
        case .revoked(let reviewer, let byRequester, let comment):
            let who = reviewer.map(SlackText.code) ?? "someone"
            text =
                (byRequester
                    ? ":octagonal_sign: *Released* by the requester \(who)" : ":octagonal_sign: *Revoked* by \(who)")
                + "; grants removed" + (comment.map { "\n" + SlackText.quote($0) } ?? "")
        case .failed(let message):
            text = ":x: *Failed*" + (message.map { ": " + SlackText.escape($0) } ?? "")
        }
        return SlackText.truncate(text, SlackText.Limit.sectionText)
    }

    /// The duration actually granted (shorter when someone approved for less).
    func grantedDuration() -> KubeDuration? {
        guard let grantedAt = summary.grantedAt, let expiresAt = summary.expiresAt else { return nil }
        return KubeDuration(seconds: Int64(expiresAt.timeIntervalSince(grantedAt).rounded()))
    }
}
