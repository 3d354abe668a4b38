import AirlockAPI
import AirlockChat
import Foundation
import KubeCore
import Testing

/// The channel-neutral content computed from a request.
@Suite struct ApprovalSummaryTests {
    @Test func carriesEverythingAReviewerNeeds() throws {
        let summary = Fixtures.summary()
        #expect(summary.request == Fixtures.reference)
        #expect(summary.phase == .pending)
        #expect(summary.requester == "system:serviceaccount:agents:fixer")
        #expect(summary.requesterOwner == "bob")
        #expect(summary.grantee.kind == .ephemeralServiceAccount)
        #expect(summary.reason == "db-0 is wedged; restart it")
        #expect(summary.ticket == "INC-42")
        #expect(summary.duration == KubeDuration(seconds: 3600))
        #expect(summary.targetNamespaces == ["prod"])
        #expect(!summary.isClusterWide)
        #expect(summary.permissions.first?.resourceNames == ["db-0"])
        #expect(summary.risks == [.destructive])
        #expect(summary.decision?.policies == ["prod-writes"])
        #expect(summary.requiredApprovals == 2)
        #expect(summary.decision?.reviewersDescription == "user alice or group sre")
        #expect(summary.countedApprovers == ["alice"])
        #expect(summary.pendingDeadline == Fixtures.created.addingTimeInterval(3600))
        #expect(summary.outcome == .pending(approvers: ["alice"], required: 2))
    }

    @Test func aRequestNotReadFromTheAPIServerIsRefused() {
        var request = Fixtures.request()
        request.metadata.uid = nil
        let error = #expect(throws: ChatError.self) { try ApprovalSummary(request: request) }
        #expect(error?.kind == .invalidInput)
    }

    @Test(arguments: [
        (PermissionRule(namespace: "prod", apiGroups: [""], resources: ["pods"], verbs: ["get"]), [AccessRisk]()),
        (
            PermissionRule(namespace: "prod", apiGroups: [""], resources: ["pods"], verbs: ["deletecollection"]),
            [.destructive]
        ),
        (PermissionRule(namespace: "prod", apiGroups: [""], resources: ["pods/exec"], verbs: ["create"]), [.podExec]),
        (PermissionRule(namespace: "prod", apiGroups: [""], resources: ["pods/attach"], verbs: ["get"]), [.podExec]),
        (
            PermissionRule(namespace: "prod", apiGroups: ["apps"], resources: ["deployments"], verbs: ["patch"]),
            [.workloadWrite]
        ),
        (PermissionRule(namespace: "prod", apiGroups: ["batch"], resources: ["jobs"], verbs: ["get"]), []),
        (
            PermissionRule(namespace: "prod", apiGroups: [""], resources: ["secrets"], verbs: ["create"]),
            [.secretCreation]
        ),
        (PermissionRule(namespace: "prod", apiGroups: [""], resources: ["secrets"], verbs: ["list"]), [.secretRead]),
        (PermissionRule(namespace: nil, apiGroups: [""], resources: ["nodes"], verbs: ["get"]), [.clusterWide]),
        (
            PermissionRule(
                namespace: "prod", apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate"]),
            [.privilegeEscalation]
        ),
        (
            PermissionRule(namespace: "prod", apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"]),
            [.privilegeEscalation]
        ),
        (
            PermissionRule(namespace: "prod", apiGroups: ["*"], resources: ["*"], verbs: ["*"]),
            [.wildcard, .privilegeEscalation, .podExec, .workloadWrite, .secretCreation, .destructive, .secretRead]
        ),
        (
            PermissionRule(namespace: "prod", apiGroups: [""], resources: ["pods/*"], verbs: ["get"]),
            [.podExec]
        ),
    ])
    func marksWhatAccessCanDo(rule: PermissionRule, risks: [AccessRisk]) {
        #expect(AccessLine(rule: rule).risks == risks)
    }

    @Test func aRoleShowsItsSnapshottedRulesOnlyWhenTheSnapshotIsOfThatRole() throws {
        let ref = TargetRoleRef(kind: .clusterRole, name: "edit", namespace: "prod")
        let rules = [PolicyRule(apiGroups: ["apps"], resources: ["deployments"], verbs: ["update", "delete"])]
        var status = ActionRequestStatus(phase: .pending)
        status.roleSnapshot = RoleSnapshot(kind: .clusterRole, name: "edit", namespace: nil, rules: rules)
        let summary = try ApprovalSummary(request: Fixtures.request(permissions: nil, roleRef: ref, status: status))
        #expect(summary.role?.rules?.count == 1)
        #expect(summary.role?.rules?.first?.namespace == "prod")
        #expect(summary.risks == [.workloadWrite, .destructive])
        #expect(summary.targetNamespaces == ["prod"])

        status.roleSnapshot = RoleSnapshot(kind: .clusterRole, name: "admin", namespace: nil, rules: rules)
        let other = try ApprovalSummary(request: Fixtures.request(permissions: nil, roleRef: ref, status: status))
        #expect(other.role?.rules == nil)
    }

    @Test func aClusterRoleBoundWithoutNamespaceIsClusterWide() throws {
        let ref = TargetRoleRef(kind: .clusterRole, name: "view", namespace: nil)
        let summary = try ApprovalSummary(request: Fixtures.request(permissions: nil, roleRef: ref))
        #expect(summary.isClusterWide)
        #expect(summary.risks == [.clusterWide])
        #expect(summary.targetNamespaces.isEmpty)
    }

    @Test func granteeFollowsTheCredentialMode() {
        var spec = Fixtures.request().spec
        #expect(ApprovalGrantee(spec: spec, status: nil).description.contains("new ephemeral ServiceAccount"))
        let status = ActionRequestStatus(grants: [
            GrantRef(
                apiVersion: "v1", kind: "ServiceAccount", namespace: "agents", name: "airlock-fix-db-1a2b", uid: "u")
        ])
        #expect(
            ApprovalGrantee(spec: spec, status: status).description
                == "ephemeral ServiceAccount agents/airlock-fix-db-1a2b")
        spec.credential = .subject
        #expect(
            ApprovalGrantee(spec: spec, status: nil)
                == ApprovalGrantee(kind: .serviceAccount, name: "fixer", namespace: "agents"))
        spec.subject = RBACSubject(kind: "User", name: "carol")
        #expect(ApprovalGrantee(spec: spec, status: nil).description == "User carol")
    }

    @Test func outcomesNameWhoDecided() throws {
        let at = Fixtures.created
        func summary(
            _ phase: ActionRequestPhase, reviews: [ReviewRecord], granted: Bool = false
        ) throws -> ApprovalSummary {
            var status = Fixtures.pendingStatus()
            status.phase = phase
            status.reviews = reviews
            if granted {
                status.grantedAt = at
                status.expiresAt = at.addingTimeInterval(900)
            }
            return try ApprovalSummary(request: Fixtures.request(status: status))
        }
        let approve = ReviewRecord(reviewer: "alice", decision: .approve, at: at, channel: "slack", counted: true)
        let rejected = ReviewRecord(
            reviewer: "mallory", decision: .approve, at: at, channel: "slack", counted: false, rejectedReason: "self")
        #expect(
            try summary(.granted, reviews: [approve, rejected], granted: true).outcome
                == .granted(approvers: ["alice"], until: at.addingTimeInterval(900)))
        let deny = ReviewRecord(
            reviewer: "carol", decision: .deny, at: at, channel: "slack", comment: "use the runbook", counted: true)
        #expect(try summary(.denied, reviews: [deny]).outcome == .denied(reviewer: "carol", reason: "use the runbook"))
        #expect(
            try summary(.expired, reviews: []).outcome == .expired(wasGranted: false, at: at.addingTimeInterval(3600)))
        #expect(
            try summary(.expired, reviews: [approve], granted: true).outcome
                == .expired(wasGranted: true, at: at.addingTimeInterval(900)))
        let release = ReviewRecord(
            reviewer: "system:serviceaccount:agents:fixer", decision: .revoke, at: at, channel: "kubernetes",
            counted: true)
        #expect(
            try summary(.revoked, reviews: [approve, release], granted: true).outcome
                == .revoked(reviewer: "system:serviceaccount:agents:fixer", byRequester: true, comment: nil))
    }

    @Test func encodesAsStableJSONWithoutSecrets() throws {
        var request = Fixtures.request(status: Fixtures.pendingStatus())
        request.spec.requester?.signature = "hmac-signature-value"
        request.status?.credentialSecretName = "airlock-fix-db-token"
        let json = String(decoding: try KubeJSON.encode(try ApprovalSummary(request: request)), as: UTF8.self)
        #expect(json.contains(#""request":"agents/fix-db/\#(Fixtures.uid)""#))
        #expect(json.contains(#""pendingDeadline":"2025-06-15T16:06:40.000000Z""#))
        #expect(!json.contains("hmac-signature-value"))
        #expect(!json.contains("airlock-fix-db-token"))
    }
}
