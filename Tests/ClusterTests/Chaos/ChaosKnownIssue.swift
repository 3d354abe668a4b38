/// Violations the chaos test finds that are understood but not fixed yet (issue 14's note):
/// reported as known issues, so the test keeps failing on anything else. Each names its
/// cause; the fix belongs to the decision core and the notifier.
enum ChaosKnownIssue: String, CaseIterable {
    /// A grant made but not recorded: the status write after creating the objects failed (403
    /// for a while after the API server restarts, until its RBAC cache is filled; a kill). The
    /// next pass decides again, with a later expiry; the sweeper removes the unrecorded objects
    /// by their own (earlier) expiry, and the recorded grant makes them again. Access existed
    /// before the recorded `grantedAt`. Fix: record the grant (write-ahead) before creating it,
    /// or start its clock at the first object's creation.
    case unrecordedGrant = "unrecorded-grant"
    /// Grant objects removed more than 5 s after their expiry (or after a new leader took over,
    /// if later) when the new leader inherits a backlog on this 2-core machine: bindings were
    /// seen up to about 2 s late, Roles, ServiceAccounts and Secrets (no access without the
    /// bindings, which go first) up to about 15 s. A binding more than 10 s late is no known
    /// issue but a failure.
    case slowCleanup = "slow-cleanup"
    /// A thread reply posted, then its record lost (a cut or a kill before the status write):
    /// posted again. Replies have no write-ahead and no look-up, unlike cards.
    case duplicateReply = "duplicate-reply"
    /// A review from a second Slack click recorded in the audit file but missing from the
    /// request's status (a status write that lost it).
    case lostReview = "lost-review"
    /// A request Failed because the API server answered 403 to the controller for a while
    /// after it restarted (its RBAC cache not filled yet): the grant applier takes a 403 as
    /// final. Fix: retry a 403 with backoff for a while before failing.
    case forbiddenAfterRestart = "forbidden-after-restart"

    var explanation: String {
        switch self {
        case .unrecordedGrant: "a grant made but not recorded is made again (see ChaosKnownIssue.unrecordedGrant)"
        case .slowCleanup:
            "grant objects removed more than 5 s (bindings: at most 15 s) after expiry or a leader change"
        case .duplicateReply: "a Slack thread reply posted twice when its record was lost"
        case .lostReview: "a review audited but missing from the status"
        case .forbiddenAfterRestart: "a request Failed on a 403 while the restarted API server filled its RBAC cache"
        }
    }

    /// The class of a violation, if it is a known one.
    static func of(_ violation: String) -> ChaosKnownIssue? {
        if violation.contains(" made ") && violation.contains(" times, seen ") { return .unrecordedGrant }
        if violation.contains(" after its expiry, ") && violation.contains(" after a leader ran") {
            return .slowCleanup
        }
        if violation.contains("a thread reply posted twice") { return .duplicateReply }
        if violation.contains(": Failed, expected "),
            violation.contains("is forbidden: User \\\"controller\\\"")
                || violation.contains("is forbidden: User \"controller\"")
        {
            return .forbiddenAfterRestart
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
