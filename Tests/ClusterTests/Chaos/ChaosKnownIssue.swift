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

    var explanation: String {
        switch self {
        case .slowCleanup:
            "grant objects removed more than 5 s (bindings: at most 15 s) after expiry or a leader change"
        }
    }

    /// The class of a violation, if it is a known one.
    static func of(_ violation: String) -> ChaosKnownIssue? {
        if violation.contains(" after its expiry, ") && violation.contains(" after a leader ran") {
            return .slowCleanup
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
