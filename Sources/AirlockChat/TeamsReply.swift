import AirlockAPI
import Foundation
import KubeCore

/// The replies under a Teams approval card (the same moments as ``SlackThreadReply``): access
/// granted, about to end, ended, revoked — as message activities with markdown-escaped text.
public enum TeamsReply {
    /// The reply for `reply` about `summary` at `now`.
    public static func activity(_ reply: NotificationState.Reply, _ summary: ApprovalSummary, now: Date) -> JSONValue {
        ["type": "message", "textFormat": "markdown", "text": .string(text(reply, summary, now: now))]
    }

    static func text(_ reply: NotificationState.Reply, _ summary: ApprovalSummary, now: Date) -> String {
        let e = AdaptiveCard.escape
        switch reply {
        case .granted:
            let approvers = summary.countedApprovers
            let by = approvers.isEmpty ? "by policy" : "by " + approvers.map(e).joined(separator: ", ")
            let until = summary.expiresAt.map { " until \(RFC3339.format($0, fractional: false))" } ?? ""
            return "🔑 Access granted to \(e(summary.grantee.description))\(until), approved \(by)."
        case .endingSoon:
            let minutes = summary.expiresAt.map { max(0, Int(($0.timeIntervalSince(now) / 60).rounded())) } ?? 0
            return "⏳ Access ends in \(minutes) minute\(minutes == 1 ? "" : "s"). "
                + "Ask again with a new request if more time is needed."
        case .ended:
            return "🔒 Access ended; every grant was removed."
        case .revoked:
            guard case .revoked(let reviewer, let byRequester, _) = summary.outcome else {
                return "🛑 Access revoked; every grant was removed."
            }
            let who = reviewer.map(e) ?? "a reviewer"
            return "🛑 Access " + (byRequester ? "released early by the requester \(who)" : "revoked by \(who)")
                + "; every grant was removed."
        }
    }
}
