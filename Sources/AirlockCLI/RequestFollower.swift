import AirlockAPI
import Foundation
import KubeCore

/// Follows one ActionRequest until it is decided: fed every version of the request the
/// watch delivers, it says whether to keep waiting (and what to show meanwhile) or how the
/// request ended. Pure: the caller does the watching, the clock and the printing.
///
/// ```
/// observe(request) ── Pending / not yet evaluated ──▶ .wait(status line)   (again on the next version)
///        └────────── Granted (with its credential) or finished ──▶ .finish(outcome)
/// deleted() ──▶ .finish(Deleted)          timedOut(after:) ──▶ outcome TimedOut (Pending)
/// ```
///
/// With `needsCredential` (credential Ephemeral and a kubeconfig to write), a Granted request
/// whose status does not name its credential Secret yet is still waited for.
public struct RequestFollower: Sendable {
    public enum Action: Sendable, Equatable {
        /// Not decided: keep watching. `line` is the status to show; `changed` says whether it
        /// differs from the previous one.
        case wait(line: String, changed: Bool)
        /// Decided (granted or finished): stop.
        case finish(RequestOutcome)
    }

    public let name: String
    public let namespace: String
    public let needsCredential: Bool
    private(set) var last: ActionRequest?
    private var lastLine: String?
    private var finished: RequestOutcome?

    public init(name: String, namespace: String, needsCredential: Bool = false) {
        self.name = name
        self.namespace = namespace
        self.needsCredential = needsCredential
    }

    /// The outcome, once there is one.
    public var outcome: RequestOutcome? { finished }

    /// The latest version of the request observed.
    public var lastSeen: ActionRequest? { last }

    /// A version of the request was observed.
    public mutating func observe(_ request: ActionRequest, now: Date) -> Action {
        if let finished { return .finish(finished) }
        last = request
        if var outcome = RequestOutcome.of(request) {
            let waitingForSecret =
                outcome.granted && needsCredential && request.spec.effectiveCredential == .ephemeral
                && outcome.credentialSecretName == nil
            if !waitingForSecret {
                outcome.name = name
                outcome.namespace = namespace
                finished = outcome
                return .finish(outcome)
            }
        }
        let line = Self.statusLine(request, now: now)
        defer { lastLine = line }
        return .wait(line: line, changed: line != lastLine)
    }

    /// The request is gone (deleted by an admin).
    public mutating func deleted() -> Action {
        if let finished { return .finish(finished) }
        let outcome = RequestOutcome(
            name: name, namespace: namespace, phase: "Deleted", reason: "Deleted",
            message: "the request was deleted before it was decided", exitCode: .failed)
        finished = outcome
        return .finish(outcome)
    }

    /// The caller's deadline passed first: the request is still undecided.
    public func timedOut(after waited: Duration, now: Date) -> RequestOutcome {
        let state = last.map { Self.statusLine($0, now: now) } ?? "not seen yet"
        return RequestOutcome(
            name: name, namespace: namespace, phase: last?.status?.phase?.rawValue ?? "Pending", reason: "TimedOut",
            message:
                "still undecided after \(Durations.short(waited)): \(state); it goes on: wait again, or revoke it",
            exitCode: .timedOut)
    }

    /// What a waiting request is doing, in one line: `Pending: 0 of 1 approvals (reviewers:
    /// group sre); review closes in 14m`.
    public static func statusLine(_ request: ActionRequest, now: Date) -> String {
        guard let status = request.status, let phase = status.phase else {
            return "waiting for Airlock to evaluate it"
        }
        let conditions = status.conditions ?? []
        var parts: [String] = []
        if let granted = conditions[type: AirlockConstants.ConditionType.granted], granted.reason == "GrantRetrying" {
            parts.append("approved; granting is being retried: \(granted.message)")
        } else if let approved = conditions[type: AirlockConstants.ConditionType.approved] {
            parts.append(approved.message.isEmpty ? approved.reason : approved.message)
        } else {
            parts.append(phase.rawValue)
        }
        if let reviewers = Self.reviewers(status.decision?.reviewers), phase == .pending {
            parts[parts.count - 1] += " (reviewers: \(reviewers))"
        }
        if phase == .pending, let deadline = status.pendingDeadline {
            parts.append("review closes in \(Durations.short(seconds: deadline.timeIntervalSince(now)))")
        }
        return "\(phase.rawValue): " + parts.joined(separator: "; ")
    }

    /// `group sre and user bob`: who may approve, every set of the decision.
    public static func reviewers(_ sets: [ReviewerSet]?) -> String? {
        guard let sets, !sets.isEmpty else { return nil }
        let described = sets.map { set -> String in
            let users = (set.users ?? []).map { "user \($0)" }
            let groups = (set.groups ?? []).map { "group \($0)" }
            return (users + groups).joined(separator: " or ")
        }.filter { !$0.isEmpty }
        return described.isEmpty ? nil : described.joined(separator: ", and ")
    }
}

/// Durations as people read them (`45s`, `12m`, `1h5m`, `3d`), like kubectl's AGE column.
public enum Durations {
    public static func short(_ duration: Duration) -> String {
        short(seconds: Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    public static func short(seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        guard total > 0 else { return "0s" }
        let (days, hours, minutes, secs) = (total / 86400, total % 86400 / 3600, total % 3600 / 60, total % 60)
        if days > 0 { return hours > 0 && days < 3 ? "\(days)d\(hours)h" : "\(days)d" }
        if hours > 0 { return minutes > 0 ? "\(hours)h\(minutes)m" : "\(hours)h" }
        if minutes > 0 { return secs > 0 && minutes < 10 ? "\(minutes)m\(secs)s" : "\(minutes)m" }
        return "\(secs)s"
    }
}
