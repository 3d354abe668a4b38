import AirlockAPI
import AirlockController
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// The escalation paths of issue 8, each tried as an attacker would: through the webhook, as
/// users holding only the manifests' roles, against the real API server. Every test here
/// failed on the reconciler before the decision core (commit 30ca496) and passes after.
extension SecuritySweep {
    @Suite struct AttackTests {
        static let getConfigMap = [
            PermissionRule(
                namespace: nil, apiGroups: [""], resources: ["configmaps"], verbs: ["get"], resourceNames: ["cm1"])
        ]

        func rules(
            _ fixture: AirlockFixture, _ verbs: [String], _ resources: [String], group: String = ""
        ) -> [PermissionRule] {
            [PermissionRule(namespace: fixture.target, apiGroups: [group], resources: resources, verbs: verbs)]
        }

        // 1
        @Test func approvalsDoNotOutliveTheirRequest() async throws {
            try await AirlockFixture.with("reuse") { fixture in
                try await fixture.policy(
                    "two", ApprovalPolicySpec(decision: .requireApproval, approvals: ApprovalRequirement(required: 2)))
                try await fixture.request("fix", by: "alice")
                try await fixture.waitFor("fix", .pending)
                try await fixture.review("fix", by: "bob", decision: .approve)
                try await fixture.review("fix", by: "carol", decision: .approve)
                try await fixture.waitFor("fix", .granted)

                try await fixture.admin.delete(ActionRequest.self, name: "fix", namespace: fixture.namespace)
                try await eventually("fix and its reviews to be gone", timeout: .seconds(20)) {
                    let requests = try await fixture.admin.list(ActionRequest.self, namespace: fixture.namespace).items
                    let reviews = try await fixture.admin.list(ActionReview.self, namespace: fixture.namespace).items
                    return !requests.contains { $0.metadata.name == "fix" } && reviews.isEmpty
                }
                try await fixture.request("fix", by: "alice", permissions: rules(fixture, ["get"], ["secrets"]))
                let pending = try await fixture.waitFor("fix", .pending)
                #expect(pending.status?.reviews?.contains { $0.counted } != true)
                #expect(pending.status?.conditions?[type: "Approved"]?.message == "0 of 2 approvals")
            }
        }

        // 1, the review side: a review names its request instance; the old instance's reviews never count.
        @Test func aReviewNamesTheRequestInstanceItReviews() async throws {
            try await AirlockFixture.with("instance") { fixture in
                try await fixture.policy("one", ApprovalPolicySpec(decision: .requireApproval))
                let first = try await fixture.request("again", by: "alice")
                let review = try await fixture.review("again", by: "bob", decision: .deny)
                #expect(review.spec.requestUID == first.metadata.uid)
                #expect(review.metadata.ownerReferences?.first?.uid == first.metadata.uid)
                try await fixture.waitFor("again", .denied)
            }
        }

        // 2
        @Test func aRoleRefIsJudgedByTheRulesItGrants() async throws {
            try await AirlockFixture.with("roleref") { fixture in
                try await fixture.policy("auto", ApprovalPolicySpec(decision: .autoApprove))
                // `admin` is aggregated: its rules come from the ClusterRoles labelled for it.
                try await fixture.request(
                    "admin", by: "alice",
                    roleRef: TargetRoleRef(kind: .clusterRole, name: "admin", namespace: fixture.target))
                let admin = try await fixture.waitFor("admin", .denied)
                // admin lets its holder impersonate ServiceAccounts and write RoleBindings: either is refused.
                #expect(
                    ["EscalationVerb", "PersistentAccess"].contains(admin.status?.decision?.reason ?? ""),
                    "\(String(describing: admin.status?.decision))")
                #expect(admin.status?.decision?.message?.contains("roleRef") == true)

                _ = try await fixture.admin.create(
                    ClusterRole(
                        metadata: ObjectMeta(name: "\(fixture.namespace)-chain"),
                        rules: [
                            PolicyRule(apiGroups: ["airlock.dev"], resources: ["actionrequests"], verbs: ["approve"]),
                            PolicyRule(apiGroups: ["airlock.dev"], resources: ["actionreviews"], verbs: ["create"]),
                        ]))
                try await fixture.request(
                    "chain", by: "alice",
                    roleRef: TargetRoleRef(
                        kind: .clusterRole, name: "\(fixture.namespace)-chain", namespace: fixture.namespace))
                let chain = try await fixture.waitFor("chain", .denied)
                #expect(chain.status?.decision?.reason == "AirlockResources")

                // A harmless role is granted as a snapshot: editing the role later widens nothing.
                _ = try await fixture.admin.create(
                    Role(
                        metadata: ObjectMeta(name: "reader", namespace: fixture.target),
                        rules: [PolicyRule(apiGroups: [""], resources: ["configmaps"], verbs: ["get"])]))
                try await fixture.request(
                    "reader", by: "alice",
                    roleRef: TargetRoleRef(kind: .role, name: "reader", namespace: fixture.target))
                let granted = try await fixture.waitFor("reader", .granted)
                var role = try await fixture.admin.get(Role.self, name: "reader", namespace: fixture.target)
                role.rules?.append(PolicyRule(apiGroups: [""], resources: ["configmaps"], verbs: ["delete"]))
                _ = try await fixture.admin.update(role)
                let alice = try fixture.client("alice")
                #expect(try await canI(alice, "get", "configmaps", namespace: fixture.target))
                #expect(try await !canI(alice, "delete", "configmaps", namespace: fixture.target))
                let bindings = try await fixture.admin.list(RoleBinding.self, namespace: fixture.target).items
                #expect(bindings.allSatisfy { $0.roleRef.name != "reader" }, "the grant must bind Airlock's own copy")
                #expect(granted.status?.grants?.contains { $0.kind == "Role" } == true)
            }
        }

        // 3
        @Test func clusterWideAccessNeverReachesTheControllerNamespace() async throws {
            try await AirlockFixture.with("cluster") { fixture in
                try await fixture.policy(
                    "auto", ApprovalPolicySpec(match: PolicyMatch(clusterScope: true), decision: .autoApprove))
                let asks: [(String, [String], String)] = [
                    ("secrets", ["get"], "secrets"), ("pods", ["create"], "pods"), ("exec", ["create"], "pods/exec"),
                ]
                for (name, verbs, resource) in asks {
                    try await fixture.request(
                        name, by: "alice",
                        permissions: [
                            PermissionRule(namespace: nil, apiGroups: [""], resources: [resource], verbs: verbs)
                        ])
                }
                for (name, _, _) in asks {
                    let denied = try await fixture.waitFor(name, .denied)
                    #expect(
                        denied.status?.decision?.reason == "ControllerNamespace",
                        "\(name): \(String(describing: denied.status?.decision))")
                }
                // Cluster-scoped resources stay grantable cluster-wide.
                try await fixture.request(
                    "nodes", by: "alice",
                    permissions: [PermissionRule(namespace: nil, apiGroups: [""], resources: ["nodes"], verbs: ["get"])]
                )
                try await fixture.waitFor("nodes", .granted)
            }
        }

        // 4
        @Test func narrowLookingCreatesAndCodeExecutionNeedAnOptIn() async throws {
            try await AirlockFixture.with("create") { fixture in
                try await fixture.policy("auto", ApprovalPolicySpec(decision: .autoApprove))
                try await fixture.request(
                    "secret", by: "alice",
                    permissions: [
                        PermissionRule(
                            namespace: fixture.target, apiGroups: [""], resources: ["secrets"], verbs: ["create"],
                            resourceNames: ["app-config"])
                    ])
                #expect(try await fixture.waitFor("secret", .denied).status?.decision?.reason == "ResourceNamesIgnored")
                let asks: [(String, String, String, String)] = [
                    ("pods", "create", "pods", ""), ("deploy", "patch", "deployments", "apps"),
                    ("cronjob", "create", "cronjobs", "batch"), ("exec", "create", "pods/exec", ""),
                    ("debug", "patch", "pods/ephemeralcontainers", ""), ("proxy", "get", "nodes/proxy", ""),
                    ("mint", "create", "secrets", ""),
                ]
                for (name, verb, resource, group) in asks {
                    try await fixture.request(
                        name, by: "alice", permissions: rules(fixture, [verb], [resource], group: group))
                }
                for (name, _, _, _) in asks {
                    let denied = try await fixture.waitFor(name, .denied)
                    #expect(
                        denied.status?.decision?.reason == "EscalationNotAllowed",
                        "\(name): \(String(describing: denied.status?.decision))")
                }
                // An explicit opt-in makes it reviewable, never auto-approved.
                try await fixture.policy(
                    "run",
                    ApprovalPolicySpec(
                        match: PolicyMatch(resources: ["pods"]), decision: .requireApproval,
                        allowEscalation: [.workloadCreation]))
                try await fixture.request("pods2", by: "alice", permissions: rules(fixture, ["create"], ["pods"]))
                let pending = try await fixture.waitFor("pods2", .pending)
                #expect(pending.status?.decision?.outcome == .requireApproval)
            }
        }

        // 5
        @Test func aFloodOfReviewsDoesNotFreezeARequest() async throws {
            try await AirlockFixture.with("flood") { fixture in
                try await fixture.policy(
                    "two", ApprovalPolicySpec(decision: .requireApproval, approvals: ApprovalRequirement(required: 2)))
                try await fixture.request("flood", by: "alice")
                try await fixture.waitFor("flood", .pending)
                let alice = try fixture.client("alice")
                // As long a comment as the API accepts.
                var comment = String(repeating: "x", count: 2048)
                do {
                    try await fixture.review(
                        "flood", by: "alice", decision: .approve, name: "junk-0", comment: comment, client: alice)
                } catch let error as KubernetesError where error.isInvalid {
                    comment = String(repeating: "x", count: 1024)
                    try await fixture.review(
                        "flood", by: "alice", decision: .approve, name: "junk-0", comment: comment, client: alice)
                }
                let count = 800
                let junk = comment
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<8 {
                        group.addTask {
                            for index in stride(from: 1 + worker, to: count, by: 8) {
                                // 800 creates beside a hundred other suites: the API server may give
                                // up on the in-process webhook (5 s) and refuse one; a client tries again.
                                try await retryingWebhookTimeouts {
                                    try await fixture.review(
                                        "flood", by: "alice", decision: .approve, name: "junk-\(index)",
                                        comment: junk, client: alice)
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                try await fixture.review("flood", by: "bob", decision: .approve)
                try await fixture.review("flood", by: "carol", decision: .approve)
                let granted = try await fixture.waitFor("flood", .granted, timeout: .seconds(90))
                #expect(granted.status?.rejectedReviews == count)
                #expect((granted.status?.reviews?.count ?? 0) <= 32)
                try await eventually("every review audited", timeout: .seconds(30)) {
                    try fixture.auditRecords().filter { $0.event == "review-rejected" }.count == count
                }
                let records = try fixture.auditRecords()
                #expect(records.filter { $0.event == "review-rejected" }.count == count)
                #expect(records.filter { $0.event == "reviewed" }.count == 2)
                #expect(records.filter { $0.event == "granted" }.count == 1)
            }
        }

        // 6
        @Test func auditAndEventsHappenOnceDespiteConflictsAndErrors() async throws {
            try await AirlockFixture.with("once") { fixture in
                try await fixture.policy("one", ApprovalPolicySpec(decision: .requireApproval))
                try await fixture.request("once", by: "alice")
                try await fixture.waitFor("once", .pending)
                fixture.faults.fail(
                    .put, pathContains: "/actionrequests/once/status", times: 2, code: 409, reason: "Conflict")
                fixture.faults.fail(.post, pathContains: "/rolebindings", times: 1, code: 500, reason: "InternalError")
                try await fixture.review("once", by: "bob", decision: .approve)
                try await fixture.waitFor("once", .granted)
                #expect(fixture.faults.injected == 3)
                try await eventually("the grant audited") {
                    try fixture.auditRecords().contains { $0.event == "granted" }
                }
                let records = try fixture.auditRecords().filter { $0.request == "\(fixture.namespace)/once" }
                for event in ["evaluated", "reviewed", "granted"] {
                    #expect(records.filter { $0.event == event }.count == 1, "\(event): \(records.map(\.event))")
                }
                try await eventually("events recorded", timeout: .seconds(10)) {
                    try await events(fixture, "once").filter { $0 == "Granted" }.count == 1
                }
                let reasons = try await events(fixture, "once")
                #expect(reasons.filter { $0 == "Granted" }.count == 1, "\(reasons)")
                #expect(reasons.filter { $0 == "ApprovalRequired" }.count == 1, "\(reasons)")
            }
        }

        // 7
        @Test func transientGrantErrorsAreRetriedNotFatal() async throws {
            try await AirlockFixture.with("transient") { fixture in
                try await fixture.policy("auto", ApprovalPolicySpec(decision: .autoApprove))
                // "Exists" although nothing does: the object vanished between create and read.
                fixture.faults.fail(.post, pathContains: "/rolebindings", times: 1, code: 409, reason: "AlreadyExists")
                fixture.faults.fail(.post, pathContains: "/token", times: 1, code: 500, reason: "InternalError")
                // A restarted API server forbids everything until its RBAC caches fill (chaos).
                fixture.faults.fail(.post, pathContains: "/roles", times: 1, code: 403, reason: "Forbidden")
                try await fixture.request("retry", by: "alice", credential: .ephemeral)
                // Each retry writes GrantRetrying and waits for the watch to bring that write
                // back: seconds apiece on a CI machine running every suite at once.
                let granted = try await fixture.waitFor("retry", .granted, timeout: .seconds(60))
                #expect(fixture.faults.injected == 3)
                #expect(granted.status?.grants?.count == 6)
            }
        }

        // 8
        @Test func thePendingDeadlineFollowsTheCurrentPolicy() async throws {
            try await AirlockFixture.with("deadline") { fixture in
                try await fixture.request("late", by: "alice")
                let pending = try await fixture.waitFor("late", .pending)
                let created = try #require(pending.metadata.creationTimestamp)
                #expect(pending.status?.pendingDeadline == created.addingTimeInterval(3600))
                try await fixture.policy(
                    "short", ApprovalPolicySpec(decision: .requireApproval, pendingTimeout: KubeDuration(seconds: 2)))
                let expired = try await fixture.waitFor("late", .expired)
                #expect(expired.status?.conditions?[type: "Expired"]?.reason == "NotReviewed")
                #expect(expired.status?.pendingDeadline == created.addingTimeInterval(2))
            }
        }

        // 9
        @Test func requestersCannotDeleteRequests() async throws {
            try await AirlockFixture.with("delete") { fixture in
                try await fixture.request("mine", by: "alice")
                try await fixture.waitFor("mine", .pending)
                for user in ["dave", "alice"] {
                    let error = await #expect(throws: KubernetesError.self) {
                        try await fixture.client(user).delete(
                            ActionRequest.self, name: "mine", namespace: fixture.namespace)
                    }
                    #expect(error?.isForbidden == true, "\(user): \(String(describing: error))")
                }
                // Releasing is a Revoke by the requester.
                try await fixture.review("mine", by: "alice", decision: .revoke)
                try await fixture.waitFor("mine", .revoked)
            }
        }

        // 10
        @Test func revocationDeletesOnlyObjectsItMadeForTheRequest() async throws {
            try await AirlockFixture.with("trust") { fixture in
                try await fixture.policy("auto", ApprovalPolicySpec(decision: .autoApprove))
                let victim = try await fixture.admin.create(
                    RoleBinding(
                        metadata: ObjectMeta(name: "precious", namespace: fixture.target), subjects: [.user("dave")],
                        roleRef: RoleRef(kind: "ClusterRole", name: "view")))
                try await fixture.request("trusting", by: "alice")
                var granted = try await fixture.waitFor("trusting", .granted)
                granted.status?.grants?.append(
                    GrantRef(
                        apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", namespace: fixture.target,
                        name: "precious", uid: victim.metadata.uid))
                _ = try await fixture.admin.updateStatus(granted)
                try await fixture.review("trusting", by: "alice", decision: .revoke)
                let revoked = try await fixture.waitFor("trusting", .revoked)
                #expect(try await fixture.grantObjects(uid: revoked.metadata.uid ?? "").isEmpty)
                _ = try await fixture.admin.get(RoleBinding.self, name: "precious", namespace: fixture.target)
            }
        }

        // 11
        @Test func aDenyAfterAPartialGrantRemovesWhatWasMade() async throws {
            try await AirlockFixture.with("partial") { fixture in
                try await fixture.policy(
                    "two", ApprovalPolicySpec(decision: .requireApproval, approvals: ApprovalRequirement(required: 1)))
                let request = try await fixture.request("partial", by: "alice", credential: .ephemeral)
                try await fixture.waitFor("partial", .pending)
                fixture.faults.fail(
                    .post, pathContains: "/rolebindings", times: 1000, code: 500, reason: "InternalError")
                try await fixture.review("partial", by: "bob", decision: .approve)
                let uid = try #require(request.metadata.uid)
                try await eventually("a partial grant", timeout: .seconds(10)) {
                    try await !fixture.grantObjects(uid: uid).isEmpty
                }
                try await fixture.review("partial", by: "carol", decision: .deny)
                try await fixture.waitFor("partial", .denied)
                try await eventually("the partial grant to be removed", timeout: .seconds(10)) {
                    try await fixture.grantObjects(uid: uid).isEmpty
                }
                fixture.faults.clear()
            }
        }

        // 12
        @Test func oneHumanWithTwoIdentitiesCannotApproveItself() async throws {
            try await AirlockFixture.with("owner") { fixture in
                try await fixture.policy("one", ApprovalPolicySpec(decision: .requireApproval))
                _ = try await fixture.admin.create(
                    ServiceAccount(
                        metadata: ObjectMeta(
                            name: "alice-agent", namespace: fixture.namespace,
                            annotations: [AirlockConstants.Annotation.owner: "alice"])))
                for (subject, role) in [
                    (RBACSubject.serviceAccount("alice-agent", namespace: fixture.namespace), "airlock-requester"),
                    (.user("alice"), "airlock-reviewer"),
                ] {
                    _ = try await fixture.admin.create(
                        RoleBinding(
                            metadata: ObjectMeta(name: "\(subject.name)-\(role)-2", namespace: fixture.namespace),
                            subjects: [subject], roleRef: RoleRef(kind: "ClusterRole", name: "\(role)-test")))
                }
                let token = try await fixture.admin.requestToken(
                    serviceAccount: "alice-agent", namespace: fixture.namespace, expirationSeconds: 600)
                let agent = try KubernetesClient(
                    configuration: fixture.plane.clientConfiguration(token: try #require(token.status?.token)))
                defer { Task { try? await agent.shutdown() } }
                try await fixture.request("two-faces", by: "alice-agent", client: agent)
                try await fixture.waitFor("two-faces", .pending)
                try await fixture.review("two-faces", by: "alice", decision: .approve)
                try await eventually("alice's approval rejected") {
                    try await fixture.get("two-faces").status?.reviews?.contains {
                        $0.reviewer == "alice" && $0.rejectedReason?.hasPrefix("SelfApproval") == true
                    } == true
                }
                #expect(try await fixture.get("two-faces").status?.phase == .pending)
                // Another reviewer still can.
                try await fixture.review("two-faces", by: "bob", decision: .approve)
                try await fixture.waitFor("two-faces", .granted)
            }
        }
    }
}
