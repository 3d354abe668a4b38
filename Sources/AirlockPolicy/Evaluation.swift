import AirlockAPI
import KubeCore

/// The verdict of ``PolicyEvaluator/evaluate(request:policies:)`` on one ActionRequest.
public enum Evaluation: Sendable, Hashable {
    /// Never granted. `policies` names the policies behind the denial (empty for most guardrails).
    case deny(DenyReason, message: String, policies: [String])
    /// Granted without review, for at most `maxDuration` (the request's duration is within it).
    case autoApprove(maxDuration: KubeDuration, policies: [String])
    /// Granted once enough allowed reviewers approve.
    case requireApproval(ApprovalRequirements)

    /// `status.decision.reason` when a policy matched.
    public static let policyMatchedReason = "PolicyMatched"
    /// `status.decision.reason` when only the controller default applied.
    public static let defaultAppliedReason = "NoPolicyMatched"

    /// The outcome, as written to `status.decision.outcome`.
    public var outcome: DecisionOutcome {
        switch self {
        case .deny: .deny
        case .autoApprove: .autoApprove
        case .requireApproval: .requireApproval
        }
    }

    /// Names of the policies the verdict rests on, sorted.
    public var policies: [String] {
        switch self {
        case .deny(_, _, let policies): policies
        case .autoApprove(_, let policies): policies
        case .requireApproval(let requirements): requirements.policies
        }
    }

    /// The deny reason, or nil when the request may be granted.
    public var denyReason: DenyReason? {
        if case .deny(let reason, _, _) = self { return reason }
        return nil
    }

    /// The requirements, when human approval is needed.
    public var approvalRequirements: ApprovalRequirements? {
        if case .requireApproval(let requirements) = self { return requirements }
        return nil
    }

    /// A sentence for people: why denied, or what happens next.
    public var message: String {
        switch self {
        case .deny(_, let message, _):
            return message
        case .autoApprove(let maxDuration, let policies):
            if policies.isEmpty {
                return "auto-approved: no ApprovalPolicy matches and the controller default approves;"
                    + " access for up to \(maxDuration)"
            }
            return "auto-approved by \(Self.policyList(policies)); access for up to \(maxDuration)"
        case .requireApproval(let requirements):
            let count = requirements.requiredApprovals
            let approvals = count == 1 ? "1 approval" : "\(count) distinct approvals"
            var sources: String
            if requirements.policies.isEmpty {
                sources = "no ApprovalPolicy matches, so the controller default applies"
            } else {
                sources = "by \(Self.policyList(requirements.policies))"
                if requirements.appliesDefault {
                    sources += " and the controller default (for access no policy matches)"
                }
            }
            var text = "requires \(approvals) (\(sources)); access for up to \(requirements.maxDuration)"
            text += "; reviews close after \(requirements.pendingTimeout)"
            if !requirements.reviewerSets.isEmpty {
                text += "; reviewers must be " + requirements.reviewerSets.map(Self.describe).joined(separator: " and ")
            }
            return text
        }
    }

    /// The verdict as `ActionRequest.status.decision`.
    public var policyDecision: PolicyDecision {
        let names = policies
        switch self {
        case .deny(let reason, let message, _):
            return PolicyDecision(
                policies: names, outcome: .deny, reason: reason.rawValue, message: message)
        case .autoApprove(let maxDuration, _):
            return PolicyDecision(
                policies: names, outcome: .autoApprove, maxDuration: maxDuration,
                reason: names.isEmpty ? Self.defaultAppliedReason : Self.policyMatchedReason, message: message)
        case .requireApproval(let requirements):
            return PolicyDecision(
                policies: names, outcome: .requireApproval, requiredApprovals: requirements.requiredApprovals,
                maxDuration: requirements.maxDuration,
                reason: names.isEmpty ? Self.defaultAppliedReason : Self.policyMatchedReason, message: message,
                reviewers: requirements.reviewerSets.isEmpty ? nil : requirements.reviewerSets,
                pendingTimeout: requirements.pendingTimeout,
                notify: requirements.notify.isEmpty ? nil : requirements.notify.recipients)
        }
    }

    static func policyList(_ names: [String]) -> String {
        (names.count == 1 ? "policy " : "policies ") + names.joined(separator: ", ")
    }

    static func describe(_ set: ReviewerSet) -> String {
        var parts: [String] = []
        if let users = set.users, !users.isEmpty { parts.append("user " + users.joined(separator: "/")) }
        if let groups = set.groups, !groups.isEmpty { parts.append("in group " + groups.joined(separator: "/")) }
        return "(" + parts.joined(separator: " or ") + ")"
    }
}
