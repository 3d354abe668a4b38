import AirlockAPI
import Foundation
import KubeCore
import Testing

@Suite struct CodingTests {
    private func roundTrip<T: Codable & Equatable>(_ value: T) throws -> T {
        try KubeJSON.decode(T.self, from: KubeJSON.encode(value))
    }

    @Test func actionRequestRoundTrips() throws {
        let request = Examples.actionRequest
        #expect(try roundTrip(request) == request)
    }

    @Test func actionReviewRoundTrips() throws {
        let review = Examples.actionReview
        #expect(try roundTrip(review) == review)
    }

    @Test func approvalPolicyRoundTrips() throws {
        let policy = Examples.approvalPolicy
        #expect(try roundTrip(policy) == policy)
    }

    @Test func initializersSetTypeMeta() {
        #expect(Examples.actionRequest.apiVersion == "airlock.dev/v1alpha1")
        #expect(Examples.actionRequest.kind == "ActionRequest")
        #expect(Examples.actionReview.kind == "ActionReview")
        #expect(Examples.approvalPolicy.kind == "ApprovalPolicy")
        #expect(ApprovalPolicy.scope == .cluster)
        #expect(ActionRequest.qualifiedPlural == "actionrequests.airlock.dev")
    }

    @Test func decodesWhatAUserWrites() throws {
        let body = #"""
            {"apiVersion": "airlock.dev/v1alpha1", "kind": "ActionRequest",
             "metadata": {"name": "delete-db-0", "namespace": "agents"},
             "spec": {"reason": "db-0 is wedged", "duration": "1h30m",
                      "permissions": [{"namespace": "prod", "apiGroups": [""], "resources": ["pods"],
                                       "verbs": ["delete"], "resourceNames": ["db-0"]}]}}
            """#
        let request = try KubeJSON.decode(ActionRequest.self, from: Data(body.utf8))
        #expect(request.spec.duration == KubeDuration(seconds: 5400))
        #expect(request.spec.permissions?.first?.policyRule.resourceNames == ["db-0"])
        #expect(request.spec.permissions?.first?.isClusterScoped == false)
        #expect(request.spec.effectiveCredential == .ephemeral)
        #expect(request.spec.roleRef == nil)
        #expect(request.status == nil)
    }

    @Test func decodesWhatTheAPIServerReturns() throws {
        // As a v1.20 API server returned it: defaulted credential, managedFields, whole-second timestamps.
        let body = #"""
            {"apiVersion":"airlock.dev/v1alpha1","kind":"ActionRequest","metadata":{"creationTimestamp":"2024-05-01T12:00:00Z","generation":1,"managedFields":[{"apiVersion":"airlock.dev/v1alpha1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{".":{}}},"manager":"kubectl-create","operation":"Update","time":"2024-05-01T12:00:00Z"}],"name":"min","namespace":"agents","resourceVersion":"242","uid":"2e4758a0-96a6-42d7-a9a5-71b1999e85d6"},"spec":{"credential":"Ephemeral","duration":"1h30m","permissions":[{"apiGroups":["apps"],"namespace":"prod","resourceNames":["api"],"resources":["deployments"],"verbs":["patch"]}],"reason":"restart the api"}}
            """#
        let request = try KubeJSON.decode(ActionRequest.self, from: Data(body.utf8))
        #expect(request.metadata.creationTimestamp == Examples.created)
        #expect(request.metadata.generation == 1)
        #expect(request.spec.credential == .ephemeral)
        #expect(request.spec.permissions?.first?.resources == ["deployments"])
    }

    @Test func wireFormatOfStatus() throws {
        let json = try Examples.json(Examples.actionRequest)
        #expect(json["status"]?["phase"] == "Granted")
        #expect(json["status"]?["expiresAt"] == "2024-05-01T12:13:00.000000Z")
        #expect(json["status"]?["decision"]?["outcome"] == "RequireApproval")
        #expect(json["status"]?["decision"]?["maxDuration"] == "1h")
        #expect(json["spec"]?["duration"] == "15m")
        #expect(json["spec"]?["credential"] == "Subject")
        #expect(json["spec"]?["roleRef"]?["kind"] == "ClusterRole")
    }

    @Test(arguments: ActionRequestPhase.allCases)
    func phasesCodeAsTheirNames(phase: ActionRequestPhase) throws {
        let data = try KubeJSON.encode([phase])
        #expect(String(decoding: data, as: UTF8.self) == "[\"\(phase.rawValue)\"]")
        #expect(try KubeJSON.decode([ActionRequestPhase].self, from: data) == [phase])
    }

    @Test func enumRawValuesAreKubernetesSpelling() {
        #expect(
            ActionRequestPhase.allCases.map(\.rawValue) == [
                "Pending", "Granted", "Denied", "Expired", "Revoked", "Failed",
            ])
        #expect(DecisionOutcome.allCases.map(\.rawValue) == ["AutoApprove", "RequireApproval", "Deny"])
        #expect(ReviewDecision.allCases.map(\.rawValue) == ["Approve", "Deny", "Revoke"])
        #expect(CredentialMode.allCases.map(\.rawValue) == ["Ephemeral", "Subject"])
        #expect(TargetRoleRef.Kind.allCases.map(\.rawValue) == ["Role", "ClusterRole"])
    }

    @Test func unknownPhaseIsRejected() {
        #expect(throws: DecodingError.self) {
            try KubeJSON.decode([ActionRequestPhase].self, from: Data(#"["Approved"]"#.utf8))
        }
    }

    @Test func terminalPhases() {
        #expect(ActionRequestPhase.allCases.filter(\.isTerminal) == [.denied, .expired, .revoked, .failed])
    }

    @Test func outcomesOrderByRestrictiveness() {
        #expect(DecisionOutcome.autoApprove < .requireApproval)
        #expect(DecisionOutcome.requireApproval < .deny)
        #expect([DecisionOutcome.requireApproval, .deny, .autoApprove].max() == .deny)
    }

    @Test func approvalsRequiredDefaultsToOne() throws {
        let approvals = try KubeJSON.decode(
            ApprovalRequirement.self, from: Data(#"{"reviewers":{"groups":["sre"]}}"#.utf8))
        #expect(approvals.required == 1)
        #expect(approvals.reviewers?.groups == ["sre"])
    }

    @Test func invalidDurationIsADecodingError() {
        let body = #"{"request":"r","decision":"Approve","duration":"soon"}"#
        #expect(throws: DecodingError.self) {
            try KubeJSON.decode(ActionReviewSpec.self, from: Data(body.utf8))
        }
    }

    @Test func identityFromUserInfo() {
        let identity = Identity(userInfo: UserInfo(username: "alice", uid: "1", groups: ["sre"]))
        #expect(identity == Identity(username: "alice", uid: "1", groups: ["sre"], signature: nil))
    }

    @Test func roleRefBecomesRBACRoleRef() {
        let ref = TargetRoleRef(kind: .role, name: "db-admin", namespace: "prod")
        #expect(ref.rbacRoleRef == RoleRef(kind: "Role", name: "db-admin"))
        #expect(!ref.isClusterScoped)
    }
}
