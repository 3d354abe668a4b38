import AirlockAPI
import AirlockPolicy
import KubeCore
import Testing

/// Which policies match a request, how they combine, cluster scope and durations.
@Suite struct PolicyMatchingTests {
    enum Expected: Sendable {
        case deny(DenyReason, policies: [String], message: String)
        case auto(max: String, policies: [String])
        case approval(
            required: Int, max: String, pending: String = "1h", reviewers: [ReviewerSet] = [], policies: [String],
            appliesDefault: Bool = false)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var request: ActionRequest
        var policies: [ApprovalPolicy]
        var expected: Expected
        /// The snapshot of the request's roleRef.
        var role: RoleSnapshot? = nil
        var testDescription: String { name }
    }

    typealias F = Fixture

    // Policies used across cases.
    static let devReads = F.policy(
        "dev-reads", .autoApprove,
        match: PolicyMatch(targetNamespaces: ["dev"], verbs: ["get", "list", "watch"]), max: "4h")
    static let prodDeletes = F.policy(
        "prod-deletes", .requireApproval, match: PolicyMatch(targetNamespaces: ["prod"], verbs: ["delete"]),
        required: 2, reviewers: ReviewerSet(groups: ["sre"]), max: "1h", pending: "15m")
    static let noProd = F.policy("no-prod", .deny, match: PolicyMatch(targetNamespaces: ["prod"]))
    static let sre = ReviewerSet(groups: ["sre"])

    static let defaultApproval = Expected.approval(required: 1, max: "1h", policies: [], appliesDefault: true)

    static let cases: [Case] = [
        // No match: the controller default.
        Case(name: "no policies: default", request: F.request(), policies: [], expected: defaultApproval),
        Case(
            name: "a policy matching everything", request: F.request(),
            policies: [F.policy("all", .autoApprove, max: "2h")], expected: .auto(max: "2h", policies: ["all"])),
        Case(
            name: "policy without maxDuration takes the default maximum", request: F.request(),
            policies: [F.policy("all", .autoApprove)], expected: .auto(max: "1h", policies: ["all"])),
        // requestNamespaces
        Case(
            name: "requestNamespaces matches", request: F.request(in: "agents"),
            policies: [F.policy("p", .autoApprove, match: PolicyMatch(requestNamespaces: ["agents"]))],
            expected: .auto(max: "1h", policies: ["p"])),
        Case(
            name: "requestNamespaces does not match", request: F.request(in: "elsewhere"),
            policies: [F.policy("p", .autoApprove, match: PolicyMatch(requestNamespaces: ["agents"]))],
            expected: defaultApproval),
        // requesters
        Case(
            name: "requesters.users matches", request: F.request(by: F.carol),
            policies: [F.policy("p", .autoApprove, match: PolicyMatch(requesters: RequesterMatch(users: ["carol"])))],
            expected: .auto(max: "1h", policies: ["p"])),
        Case(
            name: "requesters.users does not match", request: F.request(by: F.alice),
            policies: [F.policy("p", .autoApprove, match: PolicyMatch(requesters: RequesterMatch(users: ["carol"])))],
            expected: defaultApproval),
        Case(
            name: "requesters.groups intersects", request: F.request(),
            policies: [
                F.policy("p", .autoApprove, match: PolicyMatch(requesters: RequesterMatch(groups: ["ops", "agents"])))
            ], expected: .auto(max: "1h", policies: ["p"])),
        Case(
            name: "requesters.serviceAccounts matches namespace/name", request: F.request(),
            policies: [
                F.policy(
                    "p", .autoApprove,
                    match: PolicyMatch(requesters: RequesterMatch(serviceAccounts: ["agents/deployer"])))
            ], expected: .auto(max: "1h", policies: ["p"])),
        Case(
            name: "requesters.serviceAccounts does not match a user of that name",
            request: F.request(by: Identity(username: "agents/deployer")),
            policies: [
                F.policy(
                    "p", .autoApprove,
                    match: PolicyMatch(requesters: RequesterMatch(serviceAccounts: ["agents/deployer"])))
            ], expected: defaultApproval),
        // targetNamespaces
        Case(
            name: "targetNamespaces covers every target", request: F.request([F.rule("dev"), F.rule("staging")]),
            policies: [F.policy("p", .autoApprove, match: PolicyMatch(targetNamespaces: ["dev", "staging"]))],
            expected: .auto(max: "1h", policies: ["p"])),
        Case(
            name: "AutoApprove covering part of the request: the rest gets the default",
            request: F.request([F.rule("dev"), F.rule("staging")]), policies: [devReads],
            expected: .approval(required: 1, max: "1h", policies: ["dev-reads"], appliesDefault: true)),
        Case(
            name: "targetNamespaces includes the roleRef namespace",
            request: F.request(
                [F.rule("dev")], roleRef: TargetRoleRef(kind: .clusterRole, name: "view", namespace: "prod")),
            policies: [F.policy("p", .autoApprove, match: PolicyMatch(targetNamespaces: ["dev"]))],
            expected: .approval(required: 1, max: "1h", policies: ["p"], appliesDefault: true), role: F.viewRole),
        // resources
        Case(
            name: "resources spelled resource.group",
            request: F.request([
                F.rule(groups: ["apps"], resources: ["deployments", "deployments/scale"], verbs: ["get"])
            ]),
            policies: [
                F.policy(
                    "p", .autoApprove, match: PolicyMatch(resources: ["deployments.apps", "deployments.apps/scale"]))
            ], expected: .auto(max: "1h", policies: ["p"])),
        Case(
            name: "resources: pods does not cover pods/log",
            request: F.request([F.rule(resources: ["pods", "pods/log"], verbs: ["get"])]),
            policies: [F.policy("p", .autoApprove, match: PolicyMatch(resources: ["pods"]))],
            expected: .approval(required: 1, max: "1h", policies: ["p"], appliesDefault: true)),
        // verbs
        Case(
            name: "verbs covers every verb", request: F.request([F.rule("dev", verbs: ["get", "list"])]),
            policies: [devReads], expected: .auto(max: "4h", policies: ["dev-reads"])),
        Case(
            name: "verbs: one verb not listed", request: F.request([F.rule("dev", verbs: ["get", "delete"])]),
            policies: [devReads],
            expected: .approval(required: 1, max: "1h", policies: ["dev-reads"], appliesDefault: true)),
        // roleRef
        Case(
            name: "a roleRef is matched by the verbs and resources its role grants",
            request: F.request(nil, roleRef: TargetRoleRef(kind: .clusterRole, name: "view", namespace: "dev")),
            policies: [devReads], expected: .auto(max: "4h", policies: ["dev-reads"]), role: F.viewRole),
        Case(
            name: "a roleRef whose role grants more than a policy lists gets the default",
            request: F.request(nil, roleRef: TargetRoleRef(kind: .clusterRole, name: "view", namespace: "dev")),
            policies: [F.policy("p", .autoApprove, match: PolicyMatch(verbs: ["get"]))],
            expected: .approval(required: 1, max: "1h", policies: ["p"], appliesDefault: true),
            role: F.viewRole),
        Case(
            name: "a roleRef matched by namespace",
            request: F.request(nil, roleRef: TargetRoleRef(kind: .role, name: "reader", namespace: "dev")),
            policies: [F.policy("p", .autoApprove, match: PolicyMatch(targetNamespaces: ["dev"]), max: "2h")],
            expected: .auto(max: "2h", policies: ["p"]), role: F.readerRole),
        // Combination.
        Case(
            name: "RequireApproval beats AutoApprove; min of maxDuration",
            request: F.request([F.rule("prod", verbs: ["delete"])]),
            policies: [prodDeletes, F.policy("all", .autoApprove, max: "30m")],
            expected: .approval(
                required: 2, max: "30m", pending: "15m", reviewers: [sre], policies: ["all", "prod-deletes"])),
        Case(
            name: "max of required approvals, min of pending timeouts, every reviewer set",
            request: F.request([F.rule("prod", verbs: ["delete"])]),
            policies: [
                prodDeletes,
                F.policy(
                    "security", .requireApproval, required: 1, reviewers: ReviewerSet(users: ["alice", "carol"]),
                    max: "2h", pending: "45m"),
            ],
            expected: .approval(
                required: 2, max: "1h", pending: "15m", reviewers: [sre, ReviewerSet(users: ["alice", "carol"])],
                policies: ["prod-deletes", "security"])),
        Case(
            name: "Deny beats everything", request: F.request([F.rule("prod")]),
            policies: [F.allowEverything, noProd],
            expected: .deny(
                .deniedByPolicy, policies: ["no-prod"],
                message: "permissions[0] (get pods in namespace prod) is denied by policy no-prod")),
        Case(
            name: "adding harmless access does not slip past a Deny policy",
            request: F.request([F.rule("dev"), F.rule("prod", verbs: ["delete"])]), policies: [devReads, noProd],
            expected: .deny(
                .deniedByPolicy, policies: ["no-prod"],
                message: "permissions[1] (delete pods in namespace prod) is denied by policy no-prod")),
        Case(
            name: "adding harmless access does not slip past a RequireApproval policy",
            request: F.request([F.rule("dev"), F.rule("prod", verbs: ["delete"])]), policies: [devReads, prodDeletes],
            expected: .approval(
                required: 2, max: "1h", pending: "15m", reviewers: [sre], policies: ["dev-reads", "prod-deletes"],
                appliesDefault: false)),
        Case(
            name: "a Deny policy not matching leaves the others", request: F.request([F.rule("dev")]),
            policies: [devReads, noProd], expected: .auto(max: "4h", policies: ["dev-reads"])),
        // Cluster scope.
        Case(
            name: "cluster-wide rule with no policy",
            request: F.request([F.rule(nil, resources: ["nodes"])]), policies: [],
            expected: .deny(
                .clusterScopeNotAllowed, policies: [],
                message: "permissions[0] (get nodes cluster-wide) is cluster-wide access")),
        Case(
            name: "cluster-wide rule under a policy without clusterScope: true",
            request: F.request([F.rule(nil, resources: ["nodes"])]), policies: [F.policy("all", .autoApprove)],
            expected: .deny(.clusterScopeNotAllowed, policies: ["all"], message: "match.clusterScope: true")),
        Case(
            name: "clusterScope: false does not match cluster-wide access",
            request: F.request([F.rule(nil, resources: ["nodes"])]),
            policies: [F.policy("ns-only", .autoApprove, match: PolicyMatch(clusterScope: false))],
            expected: .deny(.clusterScopeNotAllowed, policies: [], message: "cluster-wide")),
        Case(
            name: "clusterScope: true allows cluster-wide access",
            request: F.request([F.rule(nil, resources: ["nodes"], verbs: ["list"])]),
            policies: [
                F.policy("nodes", .requireApproval, match: PolicyMatch(resources: ["nodes"], clusterScope: true))
            ],
            expected: .approval(required: 1, max: "1h", policies: ["nodes"])),
        Case(
            name: "a ClusterRole bound cluster-wide is cluster-scoped",
            request: F.request(nil, roleRef: TargetRoleRef(kind: .clusterRole, name: "view", namespace: nil)),
            policies: [F.policy("all", .autoApprove)],
            expected: .deny(
                .clusterScopeNotAllowed, policies: ["all"],
                message: "roleRef (ClusterRole view) (get nodes cluster-wide)"),
            role: F.nodeViewer),
        Case(
            name: "clusterScope: false matches namespaced access", request: F.request(),
            policies: [F.policy("ns-only", .autoApprove, match: PolicyMatch(clusterScope: false))],
            expected: .auto(max: "1h", policies: ["ns-only"])),
        Case(
            name: "targetNamespaces of an allowing policy never covers cluster-wide access",
            request: F.request([F.rule(nil, resources: ["nodes"])]),
            policies: [
                F.policy("dev", .autoApprove, match: PolicyMatch(targetNamespaces: ["dev"], clusterScope: true))
            ],
            expected: .deny(.clusterScopeNotAllowed, policies: [], message: "cluster-wide")),
        Case(
            name: "cluster-wide access reaches a Deny policy's target namespace",
            request: F.request([F.rule(nil, resources: ["nodes"])]), policies: [F.allowEverything, noProd],
            expected: .deny(
                .deniedByPolicy, policies: ["no-prod"],
                message: "(get nodes cluster-wide) is denied by policy no-prod")),
        // Durations against policy maxima.
        Case(
            name: "duration above the policy maximum is denied, not shortened",
            request: F.request(for: "2h", [F.rule("prod", verbs: ["delete"])]), policies: [prodDeletes],
            expected: .deny(
                .durationAbovePolicyMaximum, policies: ["prod-deletes"],
                message: "requested duration 2h exceeds the maximum 1h allowed by policy prod-deletes")),
        Case(
            name: "duration above the default maximum",
            request: F.request(for: "90m"), policies: [],
            expected: .deny(
                .durationAbovePolicyMaximum, policies: [],
                message: "requested duration 1h30m exceeds the maximum 1h allowed by the controller default")),
        Case(
            name: "the shortest maximum of several policies names its policy",
            request: F.request(for: "45m", [F.rule("dev")]),
            policies: [devReads, F.policy("short", .autoApprove, max: "40m")],
            expected: .deny(
                .durationAbovePolicyMaximum, policies: ["dev-reads", "short"],
                message: "requested duration 45m exceeds the maximum 40m allowed by policy short")),
        Case(
            name: "duration equal to the maximum", request: F.request(for: "4h", [F.rule("dev")]),
            policies: [devReads], expected: .auto(max: "4h", policies: ["dev-reads"])),
        Case(
            name: "a policy maximum above the hard cap is capped", request: F.request(for: "12h"),
            policies: [F.policy("long", .autoApprove, max: "48h")], expected: .auto(max: "12h", policies: ["long"])),
    ]

    @Test(arguments: cases)
    func evaluates(_ test: Case) {
        let evaluation = F.evaluator.evaluate(request: test.request, policies: test.policies, role: test.role)
        switch test.expected {
        case .deny(let reason, let policies, let message):
            guard case .deny(let gotReason, let gotMessage, let gotPolicies) = evaluation else {
                Issue.record("expected a denial, got \(evaluation)")
                return
            }
            #expect(gotReason == reason)
            #expect(gotPolicies == policies)
            #expect(gotMessage.contains(message), "message: \(gotMessage)")
        case .auto(let max, let policies):
            #expect(evaluation == .autoApprove(maxDuration: F.duration(max), policies: policies))
        case .approval(let required, let max, let pending, let reviewers, let policies, let appliesDefault):
            guard case .requireApproval(let requirements) = evaluation else {
                Issue.record("expected RequireApproval, got \(evaluation)")
                return
            }
            #expect(requirements.requiredApprovals == required)
            #expect(requirements.maxDuration == F.duration(max))
            #expect(requirements.pendingTimeout == F.duration(pending))
            #expect(requirements.reviewerSets == reviewers)
            #expect(requirements.policies == policies)
            #expect(requirements.appliesDefault == appliesDefault)
        }
    }

    @Test func policyOrderDoesNotMatter() {
        let request = F.request([F.rule("dev"), F.rule("prod", verbs: ["delete"])])
        let policies = [Self.devReads, Self.prodDeletes, F.policy("all", .autoApprove, max: "30m")]
        let first = F.evaluator.evaluate(request: request, policies: policies)
        #expect(F.evaluator.evaluate(request: request, policies: policies.reversed()) == first)
    }

    @Test func notificationTargetsAreTheUnionOfTheApprovingPolicies() throws {
        let teams = SecretKeyRef(name: "teams", key: "url")
        let policies = [
            F.policy(
                "a", .requireApproval, notify: NotificationTargets(slackChannel: "#prod", teamsWebhookSecret: teams)),
            F.policy("b", .requireApproval, notify: NotificationTargets(slackChannel: "#prod")),
            F.policy("c", .requireApproval, notify: NotificationTargets(slackChannel: "#security")),
            F.policy("d", .autoApprove, notify: NotificationTargets(slackChannel: "#ignored")),
        ]
        let requirements = try #require(
            F.evaluator.evaluate(request: F.request(), policies: policies).approvalRequirements)
        #expect(
            requirements.notify
                == NotificationPlan(slackChannels: ["#prod", "#security"], teamsWebhookSecrets: [teams]))
    }

    @Test func defaultsAreConfigurable() throws {
        let configuration = PolicyConfiguration(
            controllerNamespace: "airlock-system", defaultRequiredApprovals: 2,
            defaultReviewers: ReviewerSet(groups: ["sre"]),
            defaultMaxDuration: F.duration("20m"), defaultPendingTimeout: F.duration("10m"),
            defaultNotify: NotificationTargets(slackChannel: "#airlock"))
        let requirements = try #require(
            PolicyEvaluator(configuration: configuration).evaluate(request: F.request(for: "20m"), policies: [])
                .approvalRequirements)
        #expect(
            requirements
                == ApprovalRequirements(
                    requiredApprovals: 2, reviewerSets: [ReviewerSet(groups: ["sre"])], maxDuration: F.duration("20m"),
                    pendingTimeout: F.duration("10m"), notify: NotificationPlan(slackChannels: ["#airlock"]),
                    policies: [], appliesDefault: true))
    }

    @Test func defaultDenyDeniesUncoveredAccess() {
        let evaluator = PolicyEvaluator(
            configuration: PolicyConfiguration(controllerNamespace: "airlock-system", defaultOutcome: .deny))
        let evaluation = evaluator.evaluate(
            request: F.request([F.rule("dev"), F.rule("staging")]), policies: [Self.devReads])
        #expect(evaluation.denyReason == .noMatchingPolicy)
        #expect(
            evaluation.message
                == "no ApprovalPolicy matches permissions[1] (get pods in namespace staging), and the controller default is Deny"
        )
        #expect(
            evaluator.evaluate(request: F.request([F.rule("dev")]), policies: [Self.devReads]).outcome == .autoApprove)
    }

    @Test func requireApprovalNeverNeedsFewerThanOne() throws {
        let policy = F.policy("zero", .requireApproval, required: 0)
        let requirements = try #require(
            F.evaluator.evaluate(request: F.request(), policies: [policy]).approvalRequirements)
        #expect(requirements.requiredApprovals == 1)
    }
}
