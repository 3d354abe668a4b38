/// Violations the chaos test finds that are understood but not fixed yet (issue 14's note):
/// reported as known issues, so the test keeps failing on anything else. Each names its
/// cause; the fix belongs to the decision core and the notifier.
enum ChaosKnownIssue: String, CaseIterable {
    /// Grant objects removed more than 5 s after their expiry (or after a new leader took over,
    /// if later) when the new leader inherits a backlog on this 2-core machine: bindings were
    /// seen up to about 2 s late, Roles, ServiceAccounts and Secrets (no access without the
    /// bindings, which go first) up to about 15 s. A binding more than 10 s late is no known
    /// issue but a failure.
    case slowCleanup = "slow-cleanup"
    /// A review from a second Slack click recorded in the audit file but missing from the
    /// request's status (a status write that lost it).
    case lostReview = "lost-review"

    var explanation: String {
        switch self {
        case .slowCleanup:
            "grant objects removed more than 5 s (bindings: at most 15 s) after expiry or a leader change"
        case .lostReview: "a review audited but missing from the status"
        }
    }

    /// The class of a violation, if it is a known one.
    static func of(_ violation: String) -> ChaosKnownIssue? {
        if violation.contains(" after its expiry, ") && violation.contains(" after a leader ran") {
            return .slowCleanup
        }
        if violation.contains("persisted but not in the status") || violation.contains(": reviews audited ") {
            return .lostReview
        }
        return nil
    }

    /// Known violations by class, and the rest.
    static func partition(_ violations: [String]) -> (known: [ChaosKnownIssue: [String]], unknown: [String]) {
        var known: [ChaosKnownIssue: [String]] = [:]
        var unknown: [String] = []
        for violation in violations {
            if let issue = of(violation) {
                known[issue, default: []].append(violation)
            } else {
                unknown.append(violation)
            }
        }
        return (known, unknown)
    }
}
