import AirlockAPI
import KubeCore

/// How the controller is set up to evaluate ActionRequests: where it runs, what happens when
/// no ApprovalPolicy matches, and the hard cap no policy can lift.
///
/// The defaults are the documented ones: no match → RequireApproval with 1 approver, at most
/// 1h of access, 1h to be reviewed; nothing longer than 12h, ever.
public struct PolicyConfiguration: Sendable, Hashable {
    /// The namespace the Airlock controller runs in (its signing key and chat secrets live
    /// there); no request may target it.
    public var controllerNamespace: String
    /// What happens to access no ApprovalPolicy matches.
    public var defaultOutcome: DecisionOutcome
    /// Distinct approvals the default needs, and what a RequireApproval policy without
    /// `approvals` needs.
    public var defaultRequiredApprovals: Int
    /// Who may approve under the default; nil means anyone RBAC allows.
    public var defaultReviewers: ReviewerSet?
    /// The longest access the default allows, and what a policy without `maxDuration` allows.
    public var defaultMaxDuration: KubeDuration
    /// How long a request may stay Pending under the default, and under a policy without
    /// `pendingTimeout`.
    public var defaultPendingTimeout: KubeDuration
    /// Where to ask for reviews when the default applies, or when no matching policy says where.
    public var defaultNotify: NotificationTargets?
    /// No access lasts longer than this, whatever the policies say.
    public var hardCap: KubeDuration

    public init(
        controllerNamespace: String,
        defaultOutcome: DecisionOutcome = .requireApproval,
        defaultRequiredApprovals: Int = 1,
        defaultReviewers: ReviewerSet? = nil,
        defaultMaxDuration: KubeDuration = KubeDuration(seconds: 3600),
        defaultPendingTimeout: KubeDuration = KubeDuration(seconds: 3600),
        defaultNotify: NotificationTargets? = nil,
        hardCap: KubeDuration = KubeDuration(seconds: 12 * 3600)
    ) {
        self.controllerNamespace = controllerNamespace
        self.defaultOutcome = defaultOutcome
        self.defaultRequiredApprovals = defaultRequiredApprovals
        self.defaultReviewers = defaultReviewers
        self.defaultMaxDuration = defaultMaxDuration
        self.defaultPendingTimeout = defaultPendingTimeout
        self.defaultNotify = defaultNotify
        self.hardCap = hardCap
    }
}
