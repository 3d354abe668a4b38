import AirlockAPI
import Foundation
import KubeCore

/// The `Action.Execute` verbs of the Teams card, as the invoke carries them.
public enum TeamsVerb: String, Sendable, Hashable, CaseIterable {
    case approve
    /// Approve for the shorter duration chosen in the card's `duration` input.
    case approveLess = "approve-less"
    /// Deny with the reason typed in the card's `reason` input.
    case deny
    case revoke
    /// Show this user their own view (the `refresh` action, or the "Review…" button).
    case refresh
}

/// The Adaptive Card (1.5) rendering of an ``ApprovalSummary`` for Teams — the same context as
/// the Slack card — in three views:
///
/// - ``View/everyone``: what the conversation sees (posted, and updated for everyone when
///   decided): details, risks, policy, the outcome; while the request can still be reviewed, a
///   **Review…** button and a `refresh` whose `userIds` (the eligible reviewers' Teams ids,
///   at most 60) make Teams fetch each of them their own view automatically;
/// - ``View/reviewer``: the live buttons for someone who may act — **Approve**, **Approve for
///   less** (a choice of shorter durations), **Deny** (with the reason typed in the card), or
///   **Revoke** while Granted;
/// - ``View/bystander``: the details with a note why this user cannot act.
///
/// Every action carries the request reference (`namespace/name/uid`) in `data.request`.
public struct TeamsApprovalCard: Sendable {
    public enum View: Sendable, Hashable {
        case everyone
        case reviewer
        case bystander
    }

    /// The card's input ids.
    public enum Input {
        public static let duration = "duration"
        public static let reason = "reason"
    }

    public var summary: ApprovalSummary
    /// Teams user ids (`29:…`) whose clients refresh the card to their own view.
    public var refreshUserIDs: [String]

    public init(summary: ApprovalSummary, refreshUserIDs: [String] = []) {
        self.summary = summary
        self.refreshUserIDs = Array(refreshUserIDs.prefix(60))
    }

    /// The card in `view`, with `note` (to the user who clicked) on top.
    public func card(_ view: View, note: String? = nil) -> JSONValue {
        var body: [JSONValue] = []
        let outcome = summary.outcome
        let title = "Access request \(summary.request.qualifiedName)"
        body.append(
            AdaptiveCard.text(
                summary.phase == .pending ? title : "\(title): \(outcome.title)", id: "header", weight: "Bolder",
                size: "Medium"))
        if let note { body.append(AdaptiveCard.text(AdaptiveCard.escape(note), id: "note", color: "Accent")) }
        body += detailElements()
        body.append(AdaptiveCard.text(policyContext().joined(separator: "\n\n"), id: "policy", subtle: true))
        if summary.phase != .pending { body.append(AdaptiveCard.text(outcomeText(outcome), id: "outcome")) }
        var actions: [JSONValue] = []
        switch view {
        case .everyone:
            if isReviewable { actions.append(action("Review…", .refresh)) }
        case .reviewer:
            if summary.phase == .pending {
                let shorter = summary.shorterDurations
                if !shorter.isEmpty {
                    body.append(
                        AdaptiveCard.choices(
                            id: Input.duration, label: "Approve for less", placeholder: "Shorter duration…",
                            shorter.map { ("\($0)", "\($0)") }))
                }
                body.append(
                    AdaptiveCard.textInput(
                        id: Input.reason, label: "Reason (required to deny)", placeholder: "Why not?", maxLength: 1000))
                actions.append(action("Approve for \(summary.duration)", .approve, style: "positive"))
                if !shorter.isEmpty { actions.append(action("Approve for less", .approveLess)) }
                actions.append(action("Deny", .deny, style: "destructive"))
            } else if summary.phase == .granted {
                actions.append(action("Revoke now", .revoke, style: "destructive"))
            }
        case .bystander:
            break
        }
        return AdaptiveCard.card(body: body, actions: actions, refresh: refresh())
    }

    /// The card as a message activity (for sending or updating).
    public func activity(_ view: View = .everyone) -> JSONValue {
        [
            "type": "message", "summary": .string(AdaptiveCard.truncate("Access request \(summary.request)", 200)),
            "attachments": [["contentType": .string(AdaptiveCard.contentType), "content": card(view)]],
        ]
    }

    /// The card for a Teams Workflows webhook (notification only: no bot, so no buttons; the
    /// card names the `kubectl airlock approve` command): Adaptive Card 1.4 in a message.
    public func workflowsMessage() -> JSONValue {
        var content = card(.everyone)
        if case .object(var members) = content {
            members["version"] = "1.4"
            members["actions"] = nil
            members["refresh"] = nil
            content = .object(members)
        }
        return [
            "type": "message", "attachments": [["contentType": .string(AdaptiveCard.contentType), "content": content]],
        ]
    }

    /// Whether someone can still act on the request (review while Pending, revoke while Granted).
    public var isReviewable: Bool { summary.phase == .pending || summary.phase == .granted }

    private func action(_ title: String, _ verb: TeamsVerb, style: String? = nil) -> JSONValue {
        AdaptiveCard.execute(
            title, verb: verb.rawValue, data: ["request": .string(summary.request.description)], style: style)
    }

    private func refresh() -> JSONValue? {
        guard isReviewable, !refreshUserIDs.isEmpty else { return nil }
        return [
            "action": action("Refresh", .refresh),
            "userIds": .array(refreshUserIDs.map { .string($0) }),
        ]
    }
}

extension ApprovalOutcome {
    /// One word for the outcome: `Pending`, `Approved`, `Auto-approved`, `Denied`, `Ended`,
    /// `Expired`, `Released`, `Revoked`, `Failed`.
    public var title: String {
        switch self {
        case .pending: "Pending"
        case .granted(let approvers, _): approvers.isEmpty ? "Auto-approved" : "Approved"
        case .denied: "Denied"
        case .expired(let wasGranted, _): wasGranted ? "Ended" : "Expired"
        case .revoked(_, let byRequester, _): byRequester ? "Released" : "Revoked"
        case .failed: "Failed"
        }
    }
}

extension TeamsApprovalCard {
    /// The card for `summary` whose live buttons refresh automatically for `candidates` (Teams
    /// user id → identity) other than the requester and the agent's owner — who can never
    /// approve (each user's own view is still checked when Teams asks for it).
    public init(summary: ApprovalSummary, candidates: [String: ChatIdentity]) {
        let excluded = Set([summary.requester, summary.requesterOwner].compactMap { $0 })
        self.init(
            summary: summary,
            refreshUserIDs: candidates.filter { !excluded.contains($0.value.username) }.keys.sorted())
    }

    /// A card holding only `text` (the request it was about is gone).
    public static func notice(_ text: String) -> JSONValue {
        AdaptiveCard.card(body: [AdaptiveCard.text(AdaptiveCard.escape(text), id: "note")], actions: [], refresh: nil)
    }
}
