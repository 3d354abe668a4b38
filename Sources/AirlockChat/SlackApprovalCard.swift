import AirlockAPI
import Foundation
import KubeCore

/// The Block Kit rendering of an ``ApprovalSummary``: the card reviewers decide on.
///
/// - ``pending()``: details, marks on destructive or escalating access, and the buttons
///   **Approve** (primary), **Approve for less** (a select of durations shorter than asked)
///   and **Deny** (danger; the interaction handler opens a modal for the reason).
/// - ``decided()``: for `chat.update`, the same details with the buttons replaced by the
///   outcome and who decided; a **Revoke** button while Granted.
/// - ``current()``: whichever fits the summary's phase.
///
/// Buttons carry the request reference (`namespace/name/uid`) in `value`, with the stable
/// action ids of ``SlackActionID``. Output respects Slack's limits (≤ 50 blocks, ≤ 3000
/// characters per section, ≤ 75 per button); long lists end with `…and N more`. Request
/// content (reason, names) is escaped, so it cannot mention `@channel` or fake a link.
public struct SlackApprovalCard: Sendable {
    public var summary: ApprovalSummary

    public init(summary: ApprovalSummary) {
        self.summary = summary
    }

    /// Metadata to post the card with, so it can be found again after a crash.
    public var metadata: SlackMessageMetadata { SlackMessageMetadata(approvalCardFor: summary.request) }

    /// The card for the summary's phase: ``pending()`` while Pending, else ``decided()``.
    public func current() -> SlackMessageContent {
        summary.phase == .pending ? pending() : decided()
    }

    /// The card asking for review.
    public func pending() -> SlackMessageContent {
        var blocks = [header(status: nil)] + detailBlocks()
        blocks.append(SlackBlocks.context(policyContext(), blockID: "airlock_policy"))
        blocks.append(SlackBlocks.actions(reviewButtons(), blockID: SlackActionID.reviewBlock))
        return SlackMessageContent(text: fallbackText(), blocks: Array(blocks.prefix(SlackText.Limit.blocks)))
    }

    /// The card once decided: details, the outcome and who decided, Revoke while Granted.
    public func decided() -> SlackMessageContent {
        let outcome = summary.outcome
        var blocks = [header(status: Self.title(of: outcome))] + detailBlocks()
        blocks.append(SlackBlocks.context(policyContext(), blockID: "airlock_policy"))
        blocks.append(SlackBlocks.section(outcomeText(outcome), blockID: "airlock_outcome"))
        if case .granted = outcome {
            blocks.append(SlackBlocks.actions([revokeButton()], blockID: SlackActionID.grantedBlock))
        }
        return SlackMessageContent(
            text: "\(Self.title(of: outcome)): \(fallbackText())", blocks: Array(blocks.prefix(SlackText.Limit.blocks)))
    }

    // MARK: Parts

    private func header(status: String?) -> JSONValue {
        let base = "Access request \(summary.request.qualifiedName)"
        return SlackBlocks.header(status.map { "\(base): \($0)" } ?? base, blockID: "airlock_header")
    }

    /// Text for notifications and clients without blocks: who wants what, where, for how
    /// long. Escaped like the blocks (Slack formats this text too, mentions included).
    func fallbackText() -> String {
        let who = summary.requester ?? "an unknown requester"
        let verbs = Set(summary.permissions.flatMap(\.verbs)).sorted().joined(separator: "/")
        let what =
            summary.role.map { "role \($0.kind.rawValue)/\($0.name)" }
            ?? "\(verbs) on \(SlackText.list(summary.permissions.flatMap(\.resources), maximum: 5))"
        var places = summary.targetNamespaces
        if summary.isClusterWide { places.append("cluster-wide") }
        let risky = summary.risks.isEmpty ? "" : " [\(summary.risks.map(\.label).joined(separator: ", "))]"
        let text =
            "\(who) asks for \(what) in \(places.isEmpty ? "no namespace" : SlackText.list(places)) "
            + "for \(summary.duration)\(risky): \(summary.reason)"
        return SlackText.truncate(SlackText.escape(text), 1000)
    }

    private func reviewButtons() -> [JSONValue] {
        let reference = summary.request.description
        /// Risky access asks "are you sure?" first, naming the marks.
        func confirmation(_ forWhat: String) -> JSONValue? {
            guard !summary.risks.isEmpty else { return nil }
            return SlackBlocks.confirm(
                title: "Approve risky access?",
                text: "\(summary.request.qualifiedName) asks for access marked "
                    + summary.risks.map { "*\($0.label)*" }.joined(separator: ", ") + ". Approve it \(forWhat)?",
                confirm: "Approve", style: "danger")
        }
        let approveConfirm = confirmation("for \(summary.duration)")
        var elements = [
            SlackBlocks.button(
                "Approve", actionID: SlackActionID.approve, value: reference, style: "primary", confirm: approveConfirm)
        ]
        let shorter = summary.shorterDurations
        if !shorter.isEmpty {
            let options = shorter.map { duration -> (text: String, value: String) in
                let full = "\(duration)|\(reference)"
                return (
                    "Approve for \(duration)", full.utf16.count <= SlackText.Limit.optionValue ? full : "\(duration)"
                )
            }
            elements.append(
                SlackBlocks.staticSelect(
                    actionID: SlackActionID.approveFor, placeholder: "Approve for less…", options: options,
                    confirm: confirmation("for the shorter time chosen")))
        }
        elements.append(SlackBlocks.button("Deny…", actionID: SlackActionID.deny, value: reference, style: "danger"))
        return elements
    }

    private func revokeButton() -> JSONValue {
        SlackBlocks.button(
            "Revoke now", actionID: SlackActionID.revoke, value: summary.request.description, style: "danger",
            confirm: SlackBlocks.confirm(
                title: "Revoke access now?",
                text: "The grants of \(summary.request.qualifiedName) are removed at once.", confirm: "Revoke",
                style: "danger"))
    }

    static func title(of outcome: ApprovalOutcome) -> String { outcome.title }
}
