import AirlockAPI
import KubeCore

/// Decides what happens to an ActionRequest: built-in guardrails first, then the matching
/// ApprovalPolicies, combined to the most restrictive. Pure: no I/O, no clock.
///
/// Everything is judged on the access the request would grant: its permission rules and the
/// rules of its roleRef's role (from the snapshot the controller takes), so one access is
/// judged the same however it is spelled.
///
/// The steps, each of which can end in a denial:
/// 1. **Guardrails** (whatever policies say): a stamped requester; a non-empty, well-formed
///    request; no `*`; no `escalate`/`bind`/`impersonate`; no `cluster-admin` or `system:*`
///    roleRef; nothing in `airlock.dev`; nothing that reaches the controller's namespace (a rule
///    there, or a cluster-wide rule on a namespaced resource); no credential minting; no writes
///    to RBAC, admission control or API extensions; no `resourceNames` where RBAC ignores
///    them; no non-resource URLs; a positive duration within the hard cap.
/// 2. **Matching, per access item** (one verb on one resource in one namespace):
///    each item is covered by the policies whose every set criterion holds for it
///    (see ``AirlockAPI/PolicyMatch``). Matching per item keeps stricter policies in force
///    when a request mixes access: a Deny or RequireApproval policy applies when it covers
///    any item; an AutoApprove policy only speaks for the items it covers, and items no policy
///    covers get the controller's default.
/// 3. **Deny** if any item is covered by a Deny policy; **ClusterScopeNotAllowed** if a
///    cluster-wide item has no covering allowing policy with `match.clusterScope: true`;
///    **EscalationNotAllowed** if an item runs code or mints credentials as other identities
///    (``AirlockAPI/EscalationClass``) and no covering RequireApproval policy lists its class in
///    `allowEscalation` (so such access is never auto-approved); **NoMatchingPolicy** if an item
///    is uncovered and the default is Deny.
/// 4. **Combine** the matched policies (and the default, for uncovered items): the most
///    restrictive outcome, the most required approvals, the shortest maximum duration and
///    pending timeout, every reviewer constraint, every notification target.
/// 5. **Duration**: a request longer than the combined maximum is denied
///    (DurationAbovePolicyMaximum), never silently shortened.
///
/// The requester's signature is not verified here (the controller holds the key): evaluate
/// only requests whose requester signature verified.
public struct PolicyEvaluator: Sendable {
    public var configuration: PolicyConfiguration

    public init(configuration: PolicyConfiguration) {
        self.configuration = configuration
    }

    /// The verdict on `request` under `policies` (in any order; results list policy names
    /// sorted). `role` is the snapshot of the request's roleRef (required when it has one).
    public func evaluate(request: ActionRequest, policies: [ApprovalPolicy], role: RoleSnapshot? = nil) -> Evaluation {
        let spec = request.spec
        if let violation = guardrailViolation(in: spec, role: role) {
            return .deny(violation.reason, message: violation.message, policies: [])
        }
        guard let requester = spec.requester else {
            return .deny(.missingRequester, message: "spec.requester is missing", policies: [])
        }
        let ordered = policies.sorted { Self.name(of: $0) < Self.name(of: $1) }
        let items = AccessItem.items(of: AccessRule.rules(of: spec, role: role))
        let coverage: [(item: AccessItem, policies: [Int])] = items.map { item in
            let covering = ordered.indices.filter { index in
                let policy = ordered[index].spec
                return policy.match.covers(
                    item, requestNamespace: request.metadata.namespace, requester: requester,
                    decision: policy.decision)
            }
            return (item, covering)
        }

        if let denial = policyDenial(coverage: coverage, policies: ordered) { return denial }

        let matched = Set(coverage.flatMap(\.policies)).sorted().map { ordered[$0] }
        let matchedNames = matched.map(Self.name(of:))
        let uncovered = coverage.filter { $0.policies.isEmpty }.map(\.item)
        if let first = uncovered.first, configuration.defaultOutcome == .deny {
            return .deny(
                .noMatchingPolicy,
                message: "no ApprovalPolicy matches \(first.description), and the controller default is Deny",
                policies: matchedNames)
        }

        var sources = matched.map { policy in
            Source(policy: policy, configuration: configuration)
        }
        if !uncovered.isEmpty { sources.append(Source(defaultOf: configuration)) }
        return combine(sources, request: spec, policies: matchedNames, appliesDefault: !uncovered.isEmpty)
    }

    /// Deny policies, then the cluster-scope rule.
    private func policyDenial(
        coverage: [(item: AccessItem, policies: [Int])], policies: [ApprovalPolicy]
    )
        -> Evaluation?
    {
        let denying = Set(coverage.flatMap { $0.policies.filter { policies[$0].spec.decision == .deny } }).sorted()
        if let first = coverage.first(where: { $0.policies.contains(where: denying.contains) }) {
            let policy = first.policies.first(where: denying.contains)!
            let others = coverage.filter { $0.policies.contains(where: denying.contains) }.count - 1
            var message = "\(first.item.description) is denied by policy \(Self.name(of: policies[policy]))"
            if others > 0 { message += " (and \(others) more item\(others == 1 ? "" : "s") of the request)" }
            return .deny(.deniedByPolicy, message: message, policies: denying.map { Self.name(of: policies[$0]) })
        }
        for (item, covering) in coverage where item.isClusterScoped {
            if !covering.contains(where: { policies[$0].spec.match.clusterScope == true }) {
                return .deny(
                    .clusterScopeNotAllowed,
                    message: "\(item.description) is cluster-wide access, which needs a matching ApprovalPolicy"
                        + " that allows it with match.clusterScope: true; ask for it in a namespace instead",
                    policies: covering.map { Self.name(of: policies[$0]) })
            }
        }
        for (item, covering) in coverage {
            guard let escalation = item.escalation else { continue }
            let allowing = covering.filter {
                let spec = policies[$0].spec
                return spec.decision == .requireApproval && (spec.allowEscalation ?? []).contains(escalation)
            }
            if allowing.isEmpty {
                return .deny(
                    .escalationNotAllowed,
                    message: "\(item.description) \(escalation.consequence); only a matching ApprovalPolicy with"
                        + " decision RequireApproval and allowEscalation: [\(escalation.rawValue)] lets reviewers"
                        + " grant it",
                    policies: covering.map { Self.name(of: policies[$0]) })
            }
        }
        return nil
    }

    private func combine(
        _ sources: [Source], request spec: ActionRequestSpec, policies: [String], appliesDefault: Bool
    )
        -> Evaluation
    {
        let outcome = sources.map(\.outcome).max() ?? configuration.defaultOutcome
        let limit = sources.min { $0.maxDuration < $1.maxDuration }
        var maxDuration = limit?.maxDuration ?? configuration.defaultMaxDuration
        var limitedBy = limit?.label ?? "the controller default"
        if maxDuration > configuration.hardCap {
            maxDuration = configuration.hardCap
            limitedBy = "the hard cap"
        }
        if spec.duration > maxDuration {
            return .deny(
                .durationAbovePolicyMaximum,
                message:
                    "requested duration \(spec.duration) exceeds the maximum \(maxDuration) allowed by \(limitedBy)",
                policies: policies)
        }
        guard outcome == .requireApproval else {
            return .autoApprove(maxDuration: maxDuration, policies: policies)
        }
        let reviewing = sources.filter { $0.outcome == .requireApproval }
        var reviewerSets: [ReviewerSet] = []
        var notify = NotificationPlan()
        for source in reviewing {
            if let set = source.reviewers, set.constrains, !reviewerSets.contains(set) { reviewerSets.append(set) }
            if let targets = source.notify { notify.add(targets) }
        }
        if notify.isEmpty, let targets = configuration.defaultNotify { notify.add(targets) }
        return .requireApproval(
            ApprovalRequirements(
                requiredApprovals: reviewing.map(\.requiredApprovals).max() ?? 1,
                reviewerSets: reviewerSets,
                maxDuration: maxDuration,
                pendingTimeout: reviewing.map(\.pendingTimeout).min() ?? configuration.defaultPendingTimeout,
                notify: notify,
                policies: policies,
                appliesDefault: appliesDefault))
    }

    static func name(of policy: ApprovalPolicy) -> String { policy.metadata.name ?? "" }

    /// One matched policy, or the controller default, with unset fields filled from the defaults.
    private struct Source {
        var label: String
        var outcome: DecisionOutcome
        var requiredApprovals: Int
        var reviewers: ReviewerSet?
        var maxDuration: KubeDuration
        var pendingTimeout: KubeDuration
        var notify: NotificationTargets?

        init(policy: ApprovalPolicy, configuration: PolicyConfiguration) {
            let spec = policy.spec
            label = "policy \(PolicyEvaluator.name(of: policy))"
            outcome = spec.decision
            requiredApprovals = max(1, spec.approvals?.required ?? configuration.defaultRequiredApprovals)
            reviewers = spec.approvals?.reviewers
            maxDuration = spec.maxDuration ?? configuration.defaultMaxDuration
            pendingTimeout = spec.pendingTimeout ?? configuration.defaultPendingTimeout
            notify = spec.notify
        }

        init(defaultOf configuration: PolicyConfiguration) {
            label = "the controller default"
            outcome = configuration.defaultOutcome
            requiredApprovals = max(1, configuration.defaultRequiredApprovals)
            reviewers = configuration.defaultReviewers
            maxDuration = configuration.defaultMaxDuration
            pendingTimeout = configuration.defaultPendingTimeout
            notify = configuration.defaultNotify
        }
    }
}
