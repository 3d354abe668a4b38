import AirlockAPI
import AirlockPolicy
import KubeCore
import Testing

/// The status form of an evaluation and its messages.
@Suite struct EvaluationTests {
    typealias F = Fixture

    @Test func denyAsPolicyDecision() {
        let evaluation = Evaluation.deny(.deniedByPolicy, message: "no", policies: ["p"])
        #expect(
            evaluation.policyDecision
                == PolicyDecision(policies: ["p"], outcome: .deny, reason: "DeniedByPolicy", message: "no"))
    }

    @Test func autoApproveAsPolicyDecision() {
        let evaluation = Evaluation.autoApprove(maxDuration: F.duration("2h"), policies: ["dev-reads"])
        #expect(
            evaluation.policyDecision
                == PolicyDecision(
                    policies: ["dev-reads"], outcome: .autoApprove, maxDuration: F.duration("2h"),
                    reason: "PolicyMatched",
                    message: "auto-approved by policy dev-reads; access for up to 2h"))
    }

    @Test func requireApprovalAsPolicyDecision() {
        let requirements = ApprovalRequirements(
            requiredApprovals: 2, reviewerSets: [ReviewerSet(users: ["alice"], groups: ["sre"])],
            maxDuration: F.duration("1h"), pendingTimeout: F.duration("15m"), policies: ["a", "b"])
        let decision = Evaluation.requireApproval(requirements).policyDecision
        #expect(decision.outcome == .requireApproval)
        #expect(decision.requiredApprovals == 2)
        #expect(decision.maxDuration == F.duration("1h"))
        #expect(decision.reason == "PolicyMatched")
        #expect(
            decision.message
                == "requires 2 distinct approvals (by policies a, b); access for up to 1h; reviews close after 15m;"
                + " reviewers must be (user alice or in group sre)")
    }

    @Test func defaultDecisionSaysSo() {
        let decision = F.evaluator.evaluate(request: F.request(), policies: []).policyDecision
        #expect(decision.reason == "NoPolicyMatched")
        #expect(decision.policies == [])
        #expect(
            decision.message
                == "requires 1 approval (no ApprovalPolicy matches, so the controller default applies); access for up"
                + " to 1h; reviews close after 1h")
    }

    @Test func denyReasonCodesAreStable() {
        #expect(DenyReason.wildcard.rawValue == "Wildcard")
        #expect(DenyReason.durationAbovePolicyMaximum.rawValue == "DurationAbovePolicyMaximum")
        #expect(
            DenyReason.allCases.filter { !$0.isGuardrail } == [
                .durationAbovePolicyMaximum, .clusterScopeNotAllowed, .escalationNotAllowed, .deniedByPolicy,
                .noMatchingPolicy,
            ])
    }

    @Test(
        arguments: [
            ("system:serviceaccount:agents:deployer", "agents", "deployer"),
            ("system:serviceaccount:a:b:c", nil, nil),
            ("system:serviceaccount::b", nil, nil),
            ("alice", nil, nil),
        ] as [(String, String?, String?)])
    func serviceAccountUsernames(username: String, namespace: String?, name: String?) {
        let parsed = ServiceAccountUsername.parse(username)
        #expect(parsed?.namespace == namespace)
        #expect(parsed?.name == name)
    }

    @Test func partlyDefaultDecisionSaysSo() {
        let devReads = F.policy("dev-reads", .autoApprove, match: PolicyMatch(targetNamespaces: ["dev"]))
        let evaluation = F.evaluator.evaluate(request: F.request([F.rule("dev"), F.rule("qa")]), policies: [devReads])
        #expect(
            evaluation.message
                == "requires 1 approval (by policy dev-reads and the controller default (for access no policy"
                + " matches)); access for up to 1h; reviews close after 1h")
        #expect(evaluation.policyDecision.reason == "PolicyMatched")
    }

    @Test func autoApprovingDefault() {
        let evaluator = PolicyEvaluator(
            configuration: PolicyConfiguration(controllerNamespace: "airlock-system", defaultOutcome: .autoApprove))
        let evaluation = evaluator.evaluate(request: F.request(), policies: [])
        #expect(evaluation == .autoApprove(maxDuration: F.duration("1h"), policies: []))
        #expect(evaluation.policyDecision.reason == "NoPolicyMatched")
        #expect(
            evaluation.message
                == "auto-approved: no ApprovalPolicy matches and the controller default approves; access for up to 1h")
    }
}
