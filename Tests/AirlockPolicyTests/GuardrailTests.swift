import AirlockAPI
import AirlockPolicy
import KubeCore
import Testing

/// Built-in guardrails deny whatever the policies say: every case runs under a policy that
/// auto-approves everything, cluster-wide included.
extension SecuritySweep {
    @Suite struct GuardrailTests {
        struct Case: Sendable, CustomTestStringConvertible {
            var name: String
            var request: ActionRequest
            var reason: DenyReason
            var message: String
            var testDescription: String { name }
        }

        typealias F = Fixture

        static let cases: [Case] = [
            Case(
                name: "creating a RoleBinding",
                request: F.request([
                    F.rule(
                        groups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["get", "create"])
                ]),
                reason: .persistentAccess,
                message: "permissions[0] asks to create rolebindings.rbac.authorization.k8s.io"),
            Case(
                name: "patching a ClusterRole",
                request: F.request([
                    F.rule(nil, groups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["patch"])
                ]),
                reason: .persistentAccess, message: "patch clusterroles.rbac.authorization.k8s.io, which would outlive"),
            Case(
                name: "updating a webhook configuration",
                request: F.request([
                    F.rule(
                        nil, groups: ["admissionregistration.k8s.io"], resources: ["validatingwebhookconfigurations"],
                        verbs: ["update"])
                ]),
                reason: .persistentAccess,
                message: "update validatingwebhookconfigurations.admissionregistration.k8s.io"),
            Case(
                name: "wildcard verb", request: F.request([F.rule(verbs: ["get", "*"])]), reason: .wildcard,
                message: #"permissions[0] uses the wildcard "*" in verbs; ask for the exact verbs needed"#),
            Case(
                name: "wildcard resource", request: F.request([F.rule(), F.rule(resources: ["*"])]), reason: .wildcard,
                message: #"permissions[1] uses the wildcard "*" in resources"#),
            Case(
                name: "wildcard subresource pattern", request: F.request([F.rule(resources: ["*/scale"])]),
                reason: .wildcard, message: #""*/scale" in resources"#),
            Case(
                name: "wildcard apiGroup", request: F.request([F.rule(groups: ["*"])]), reason: .wildcard,
                message: #""*" in apiGroups"#),
            Case(
                name: "escalate verb",
                request: F.request([
                    F.rule(groups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate"])
                ]),
                reason: .escalationVerb, message: "permissions[0] asks for the verb escalate"),
            Case(
                name: "bind verb",
                request: F.request([
                    F.rule(groups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"])
                ]),
                reason: .escalationVerb, message: "the verb bind, which lets the grantee bind roles it does not hold"),
            Case(
                name: "impersonate verb",
                request: F.request([F.rule(nil, resources: ["users"], verbs: ["impersonate"])]),
                reason: .escalationVerb, message: "the verb impersonate"),
            Case(
                name: "escalation verb in other case", request: F.request([F.rule(verbs: ["Impersonate"])]),
                reason: .escalationVerb, message: "the verb Impersonate"),
            Case(
                name: "cluster-admin roleRef in a namespace",
                request: F.request(
                    nil, roleRef: TargetRoleRef(kind: .clusterRole, name: "cluster-admin", namespace: "dev")),
                reason: .clusterAdmin,
                message: "roleRef (ClusterRole cluster-admin): binding cluster-admin is never allowed"),
            Case(
                name: "cluster-admin roleRef cluster-wide",
                request: F.request(
                    [F.rule()], roleRef: TargetRoleRef(kind: .clusterRole, name: "cluster-admin", namespace: nil)),
                reason: .clusterAdmin, message: "cluster-admin"),
            Case(
                name: "system: role",
                request: F.request(
                    nil, roleRef: TargetRoleRef(kind: .clusterRole, name: "system:node", namespace: "dev")),
                reason: .systemRole, message: "roles named system:* belong to Kubernetes itself"),
            Case(
                name: "airlock.dev resources",
                request: F.request([F.rule(groups: ["airlock.dev"], resources: ["actionrequests"], verbs: ["approve"])]
                ),
                reason: .airlockResources, message: "permissions[0] targets the API group airlock.dev"),
            Case(
                name: "airlock.dev subgroup",
                request: F.request([F.rule(groups: ["", "chat.airlock.dev"], resources: ["configmaps"])]),
                reason: .airlockResources, message: "chat.airlock.dev"),
            Case(
                name: "permission in the controller namespace",
                request: F.request([F.rule(), F.rule("airlock-system", resources: ["secrets"])]),
                reason: .controllerNamespace,
                message: "permissions[1] targets namespace airlock-system, where the Airlock controller runs"),
            Case(
                name: "roleRef in the controller namespace",
                request: F.request(
                    nil, roleRef: TargetRoleRef(kind: .clusterRole, name: "view", namespace: "airlock-system")),
                reason: .controllerNamespace, message: "roleRef (ClusterRole view) targets namespace airlock-system"),
            Case(
                name: "minting service account tokens",
                request: F.request([F.rule(resources: ["serviceaccounts/token"], verbs: ["create"])]),
                reason: .tokenMinting,
                message:
                    "permissions[0] asks to create serviceaccounts/token, which mints credentials for other identities"
            ),
            Case(
                name: "approving certificate signing requests",
                request: F.request([
                    F.rule(
                        nil, groups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"],
                        verbs: ["update"])
                ]),
                reason: .tokenMinting, message: "update certificatesigningrequests/approval"),
            Case(
                name: "signing with a signer",
                request: F.request([
                    F.rule(nil, groups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["get", "sign"])
                ]), reason: .tokenMinting, message: "permissions[0] asks to sign signers"),
            Case(
                name: "roleRef with an empty namespace",
                request: F.request(nil, roleRef: TargetRoleRef(kind: .clusterRole, name: "view", namespace: "")),
                reason: .invalidRoleRef, message: "roleRef (ClusterRole view) has an empty namespace"),
            Case(
                name: "zero duration", request: F.request(for: "0s"), reason: .invalidDuration,
                message: "requested duration 0s is not positive"),
            Case(
                name: "negative duration", request: F.request(for: "-5m"), reason: .invalidDuration,
                message: "requested duration -5m is not positive"),
            Case(
                name: "duration above the hard cap (a policy allowing it does not matter)",
                request: F.request(for: "13h"),
                reason: .durationAboveHardCap, message: "requested duration 13h exceeds the hard cap 12h"),
            Case(
                name: "empty request", request: F.request(nil), reason: .emptyRequest,
                message: "the request asks for nothing"),
            Case(
                name: "empty permissions list", request: F.request([]), reason: .emptyRequest,
                message: "give spec.permissions, spec.roleRef or both"),
            Case(
                name: "unstamped requester", request: F.request(by: nil), reason: .missingRequester,
                message: "the Airlock admission webhook did not stamp this request"),
            Case(
                name: "rule without verbs", request: F.request([F.rule(verbs: [])]), reason: .invalidRule,
                message: "permissions[0] needs at least one apiGroup, one resource and one verb"),
            Case(
                name: "rule with an empty namespace", request: F.request([F.rule("")]), reason: .invalidRule,
                message: "omit namespace for cluster-wide access"),
            Case(
                name: "Role without a namespace",
                request: F.request(nil, roleRef: TargetRoleRef(kind: .role, name: "deployer", namespace: nil)),
                reason: .invalidRoleRef,
                message: "roleRef (Role deployer) is a Role and needs the namespace it lives in"),
        ]

        @Test(arguments: cases)
        func deniesWhateverPoliciesSay(_ test: Case) throws {
            let evaluation = F.evaluator.evaluate(request: test.request, policies: [F.allowEverything])
            guard case .deny(let reason, let message, let policies) = evaluation else {
                Issue.record("expected a denial, got \(evaluation)")
                return
            }
            #expect(reason == test.reason)
            #expect(reason.isGuardrail)
            #expect(message.contains(test.message), "message: \(message)")
            #expect(policies.isEmpty)
        }

        @Test func hardCapIsConfigurable() {
            let evaluator = PolicyEvaluator(
                configuration: PolicyConfiguration(
                    controllerNamespace: "airlock-system", hardCap: Fixture.duration("2h")))
            #expect(
                evaluator.evaluate(request: F.request(for: "3h"), policies: [F.allowEverything]).denyReason
                    == .durationAboveHardCap)
            #expect(
                evaluator.evaluate(request: F.request(for: "2h"), policies: [F.allowEverything])
                    == .autoApprove(maxDuration: F.duration("2h"), policies: ["allow-everything"]))
        }

        @Test func harmlessLookalikesAreNotGuardrailed() {
            // `serviceaccounts` itself, `get` on the token subresource's parent, a roleRef named like a system role.
            let request = F.request(
                [
                    F.rule(resources: ["serviceaccounts"], verbs: ["get", "create"]),
                    F.rule("prod", groups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"]),
                    // Reading or removing RBAC leaves nothing behind.
                    F.rule(
                        groups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"],
                        verbs: ["get", "list", "delete"]),
                ], roleRef: TargetRoleRef(kind: .clusterRole, name: "view", namespace: "dev"))
            let role = RoleSnapshot(kind: .clusterRole, name: "view", namespace: nil, rules: F.viewRole.rules)
            #expect(
                F.evaluator.evaluate(request: request, policies: [F.allowEverything], role: role).outcome
                    == .autoApprove)
        }
    }
}
