import Foundation
import KubeCore

/// Texts of the thread replies under an approval card (post them with the card's `ts` as
/// `thread_ts`): access granted, about to end, ended, revoked. `mrkdwn`, escaped.
public enum SlackThreadReply {
    /// Access started.
    public static func granted(_ summary: ApprovalSummary) -> String {
        let approvers = summary.countedApprovers
        let by = approvers.isEmpty ? "by policy" : "by " + SlackText.list(approvers.map(SlackText.code))
        let until = summary.expiresAt.map { " until \(SlackText.date($0))" } ?? ""
        let credential =
            summary.grantee.kind == .ephemeralServiceAccount
            ? " The requester finds its credential with "
                + "`kubectl airlock describe -n \(summary.request.namespace) \(summary.request.name)`."
            : ""
        return ":key: Access granted to \(SlackText.escape(summary.grantee.description))\(until), approved \(by)."
            + credential
    }

    /// Access ends soon (sent a few minutes before `expiresAt`).
    public static func endingSoon(_ summary: ApprovalSummary, now: Date) -> String {
        guard let expiresAt = summary.expiresAt else { return ":hourglass_flowing_sand: Access ends soon." }
        let minutes = max(0, Int((expiresAt.timeIntervalSince(now) / 60).rounded()))
        return ":hourglass_flowing_sand: Access ends in \(minutes) minute\(minutes == 1 ? "" : "s") "
            + "(\(SlackText.date(expiresAt))). Ask again with a new request if more time is needed."
    }

    /// The grant ran out and was removed.
    public static func ended(_ summary: ApprovalSummary) -> String {
        let when = summary.expiresAt.map { " at \(SlackText.date($0))" } ?? ""
        return ":lock: Access ended\(when); every grant was removed."
    }

    /// The grant was ended early.
    public static func revoked(_ summary: ApprovalSummary) -> String {
        guard case .revoked(let reviewer, let byRequester, let comment) = summary.outcome else {
            return ":octagonal_sign: Access revoked; every grant was removed."
        }
        let who = reviewer.map(SlackText.code) ?? "a reviewer"
        let verb = byRequester ? "released early by the requester \(who)" : "revoked by \(who)"
        return ":octagonal_sign: Access \(verb); every grant was removed."
            + (comment.map { "\n" + SlackText.quote($0) } ?? "")
    }
}
