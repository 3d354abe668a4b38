import AirlockAPI
import Crypto
import Foundation
import KubeCore

/// The audit records and Events a request's status makes true, derived from the status alone,
/// each with a stable key: what a step announces is `implied(new) − implied(old)`, and what a
/// crash kept from being recorded is found again on the next pass by comparing keys.
///
/// - `evaluated` — the current decision (a changed decision is a new record);
/// - `reviewed` / `review-rejected` — each listed review verdict (a Warning Event for rejected);
/// - `granted` — once `grantedAt` is set;
/// - the final phase (`denied`, `expired`, `revoked`, `failed`) — once reached.
enum Announcements {
    /// The fields every record about `request` shares.
    static func base(of request: ActionRequest) -> AuditRecord {
        AuditRecord(
            time: .distantPast, event: "", request: request.key.description, requestUID: request.metadata.uid ?? "",
            requester: request.spec.requester?.username)
    }

    static func implied(by request: ActionRequest) -> [Announcement] {
        guard let status = request.status else { return [] }
        let uid = request.metadata.uid ?? ""
        let base = base(of: request)
        var announcements: [Announcement] = []

        if let decision = status.decision {
            let at =
                decision.at ?? status.conditions?[type: AirlockConstants.ConditionType.evaluated]?.lastTransitionTime
            var record = base
            record.time = at ?? .distantPast
            record.event = "evaluated"
            record.outcome = decision.outcome.rawValue
            record.reason = decision.message
            record.policy = decision.policies
            let event =
                decision.outcome == .requireApproval
                ? EventNote(
                    warning: false, reason: "ApprovalRequired", action: "Evaluate", note: decision.message ?? "",
                    time: record.time) : nil
            announcements.append(keyed("\(uid)/evaluated/\(digest(of: decision))", record, event))
        }
        for review in status.reviews ?? [] {
            announcements.append(reviewAnnouncement(review, base: base))
        }
        if let grantedAt = status.grantedAt {
            var record = base
            record.time = grantedAt
            record.event = "granted"
            record.outcome = ActionRequestPhase.granted.rawValue
            let approved = status.conditions?[type: AirlockConstants.ConditionType.approved]
            let duration = status.expiresAt.map { KubeDuration(seconds: Int64($0.timeIntervalSince(grantedAt))) }
            record.reason = [approved?.message, duration.map { "for \($0)" }].compactMap { $0 }.joined(separator: "; ")
            record.policy = status.decision?.policies
            let note = "granted for \(duration.map(\.description) ?? "?") (\(status.grants?.count ?? 0) objects)"
            announcements.append(
                keyed(
                    "\(uid)/granted", record,
                    EventNote(warning: false, reason: "Granted", action: "Grant", note: note, time: grantedAt)))
        }
        if let phase = status.phase, phase.isTerminal, let condition = ending(of: status, phase: phase) {
            var record = base
            record.time = condition.lastTransitionTime
            record.event = phase.rawValue.lowercased()
            record.outcome = phase.rawValue
            record.reason = "\(condition.reason): \(condition.message)"
            record.actor = actor(of: status, phase: phase)
            record.policy = status.decision?.policies
            let warning = phase == .failed || condition.reason == "UntrustedIdentity"
            announcements.append(
                keyed(
                    "\(uid)/\(record.event)", record,
                    EventNote(
                        warning: warning, reason: condition.reason, action: action(of: phase, condition.reason),
                        note: condition.message, time: condition.lastTransitionTime)))
        }
        return announcements
    }

    /// The announcement of one review verdict.
    static func reviewAnnouncement(_ review: ReviewRecord, base: AuditRecord) -> Announcement {
        var record = base
        record.time = review.at
        record.actor = review.reviewer
        record.channel = review.channel
        if review.counted {
            record.event = "reviewed"
            record.outcome = review.decision.rawValue
            record.reason = review.comment
            return keyed("\(base.requestUID ?? "")/review/\(review.review ?? review.reviewer)", record, nil)
        }
        let code = review.rejectedReason?.split(separator: ":", maxSplits: 1).first.map(String.init) ?? "Rejected"
        record.event = "review-rejected"
        record.outcome = code
        record.reason = review.rejectedReason
        let note = "review \(review.review ?? "") by \(review.reviewer) rejected: \(review.rejectedReason ?? code)"
        return keyed(
            "\(base.requestUID ?? "")/review/\(review.review ?? review.reviewer)", record,
            EventNote(warning: true, reason: "ReviewRejected", action: "Review", note: note, time: review.at))
    }

    private static func keyed(_ key: String, _ record: AuditRecord, _ event: EventNote?) -> Announcement {
        var record = record
        record.key = key
        return Announcement(key: key, audit: record, event: event)
    }

    /// The condition a final phase set.
    static func ending(of status: ActionRequestStatus, phase: ActionRequestPhase) -> Condition? {
        let type: String
        switch phase {
        case .denied: type = AirlockConstants.ConditionType.denied
        case .expired: type = AirlockConstants.ConditionType.expired
        case .revoked: type = AirlockConstants.ConditionType.revoked
        case .failed, .granted, .pending: type = AirlockConstants.ConditionType.granted
        }
        return status.conditions?[type: type]
    }

    /// Who ended the request: the reviewer of the counted Deny or Revoke, if a review did.
    private static func actor(of status: ActionRequestStatus, phase: ActionRequestPhase) -> String? {
        let decision: ReviewDecision
        switch phase {
        case .denied: decision = .deny
        case .revoked: decision = .revoke
        default: return nil
        }
        return status.reviews?.last { $0.counted && $0.decision == decision }?.reviewer
    }

    private static func action(of phase: ActionRequestPhase, _ reason: String) -> String {
        switch phase {
        case .denied: reason == "DeniedByReviewer" ? "Review" : "Evaluate"
        case .expired, .revoked: "Revoke"
        default: "Grant"
        }
    }

    /// 12 hex digits of SHA-256 over what makes a decision: outcome, policies, approvals,
    /// maximum, reason.
    static func digest(of decision: PolicyDecision) -> String {
        let text = [
            decision.outcome.rawValue, (decision.policies ?? []).joined(separator: ","),
            "\(decision.requiredApprovals ?? 0)", decision.maxDuration?.description ?? "", decision.reason ?? "",
        ].joined(separator: "\u{1}")
        return Hex.encode(SHA256.hash(data: Data(text.utf8)).prefix(6))
    }
}
