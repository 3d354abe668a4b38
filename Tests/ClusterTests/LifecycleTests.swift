import AirlockAPI
import AirlockController
import AirlockPolicy
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// The ActionRequest lifecycle against the real API server, with the controller running
/// in-process as a user holding exactly the ClusterRole of manifests/rbac.yaml.
/// Serialized: one controller watches all namespaces at a time.
@Suite(.serialized) struct LifecycleTests {
    @Test func autoApprovedGrantIsExactThenExpiresAndTheTokenDies() async throws {
        let fixture = try await LifecycleFixture.start("auto")
        defer { fixture.running.cancel() }
        try await fixture.policy(
            "auto", ApprovalPolicySpec(decision: .autoApprove, maxDuration: try KubeDuration(parsing: "1h")))
        for name in ["cm1", "cm2"] {
            _ = try await fixture.admin.create(
                ConfigMap(metadata: ObjectMeta(name: name, namespace: fixture.target), data: ["k": name]))
        }
        // Long enough for every check below on a loaded CI machine: the window starts at the
        // approval (here the request's creation), not when the controller gets to it.
        try await fixture.request("read-cm1", by: "alice", groups: ["dev"], duration: "40s")
        let granted = try await fixture.waitFor("read-cm1", .granted)
        let status = try #require(granted.status)
        #expect(status.conditions?[type: "Granted"]?.status == "True")
        #expect(status.conditions?[type: "Approved"]?.reason == "AutoApproved")
        #expect(status.decision?.outcome == .autoApprove)
        let objects = try await fixture.grantObjects(of: granted)
        // ServiceAccount, credential Secret, the target Role + RoleBinding, the reader Role + RoleBinding.
        #expect(objects.count == 6, "\(objects)")
        #expect(status.grants?.count == 6)
        let expires = try #require(status.expiresAt)
        let grantedAt = try #require(status.grantedAt)
        #expect(abs(expires.timeIntervalSince(grantedAt) - 40) < 0.01)

        // The credential: a ready kubeconfig whose token can do exactly the requested action.
        let secretName = try #require(status.credentialSecretName)
        let secret = try await fixture.admin.get(Secret.self, name: secretName, namespace: fixture.namespace)
        let kubeconfig = try #require(secret.data?["kubeconfig"])
        let token = String(decoding: try #require(secret.data?["token"]), as: UTF8.self)
        #expect(String(decoding: kubeconfig, as: UTF8.self).contains("token: \(token)"))
        // The credential is written where the control plane keeps its files, readable by us only.
        let path = fixture.plane.directory.appendingPathComponent("credential-\(UUID().uuidString)").path
        try #require(
            FileManager.default.createFile(atPath: path, contents: kubeconfig, attributes: [.posixPermissions: 0o600]))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let agent = try KubernetesClient(configuration: try ClientConfiguration.kubeconfig(path: path))
        defer { Task { try? await agent.shutdown() } }
        #expect(try await canI(agent, "get", "configmaps", name: "cm1", namespace: fixture.target))
        #expect(try await !canI(agent, "get", "configmaps", name: "cm2", namespace: fixture.target))
        #expect(try await !canI(agent, "delete", "configmaps", name: "cm1", namespace: fixture.target))
        #expect(try await !canI(agent, "get", "configmaps", name: "cm1", namespace: fixture.namespace))
        #expect(try await agent.get(ConfigMap.self, name: "cm1", namespace: fixture.target).data == ["k": "cm1"])
        let forbidden = await #expect(throws: KubernetesError.self) {
            try await agent.get(ConfigMap.self, name: "cm2", namespace: fixture.target)
        }
        #expect(forbidden?.isForbidden == true)
        // Only the requester may read the credential.
        let alice = try fixture.plane.client(as: "alice")
        let bob = try fixture.plane.client(as: "bob")
        #expect(try await canI(alice, "get", "secrets", name: secretName, namespace: fixture.namespace))
        #expect(try await !canI(bob, "get", "secrets", name: secretName, namespace: fixture.namespace))
        #expect(try await !canI(alice, "list", "secrets", namespace: fixture.namespace))

        // Expiry: every object goes and the token stops authenticating.
        let expired = try await fixture.waitFor("read-cm1", .expired, timeout: .seconds(60))
        #expect(expired.status?.conditions?[type: "Expired"]?.reason == "DurationElapsed")
        #expect(try await fixture.grantObjects(of: expired).isEmpty)
        #expect(expired.status?.grants?.isEmpty == true)
        // The API server caches token authentication for about 10 s.
        try await eventually("the token no longer authenticates", timeout: .seconds(30), interval: .milliseconds(500)) {
            do {
                _ = try await agent.get(ConfigMap.self, name: "cm1", namespace: fixture.target)
                return false
            } catch let error as KubernetesError {
                return error.isUnauthorized
            }
        }
        await fixture.stop()
    }

    @Test func twoApproversNoSelfApprovalThenGranted() async throws {
        let fixture = try await LifecycleFixture.start("two")
        defer { fixture.running.cancel() }
        try await fixture.allowReviewers()
        try await fixture.policy(
            "two",
            ApprovalPolicySpec(
                decision: .requireApproval, approvals: ApprovalRequirement(required: 2),
                maxDuration: try KubeDuration(parsing: "1h")))
        try await fixture.request("two", by: "bob", groups: ["reviewers"])
        let pending = try await fixture.waitFor("two", .pending)
        #expect(pending.status?.decision?.requiredApprovals == 2)
        #expect(pending.status?.pendingDeadline != nil)

        // The requester approving its own request does not count (even though it may approve).
        try await fixture.review("two", by: "bob", groups: ["reviewers"], decision: .approve)
        try await eventually("self-approval rejected") {
            try await fixture.get("two").status?.reviews?.first?.rejectedReason?.hasPrefix("SelfApproval") == true
        }
        try await fixture.review("two", by: "carol", groups: ["reviewers"], decision: .approve)
        try await eventually("one approval counted") {
            try await fixture.get("two").status?.conditions?[type: "Approved"]?.message == "1 of 2 approvals"
        }
        #expect(try await fixture.get("two").status?.phase == .pending)
        // A reviewer without the approve verb is ignored.
        try await fixture.review("two", by: "dave", decision: .approve)
        try await eventually("dave rejected") {
            try await fixture.get("two").status?.reviews?.contains {
                $0.reviewer == "dave" && $0.rejectedReason?.hasPrefix("NotAuthorized") == true
            } == true
        }
        #expect(try await fixture.get("two").status?.phase == .pending)
        // The second distinct authorized approval grants.
        try await fixture.plane.withClient(token: try fixture.plane.token(for: "admin")) { admin in
            _ = try await admin.create(
                RoleBinding(
                    metadata: ObjectMeta(name: "alice-approves", namespace: fixture.namespace),
                    subjects: [.user("alice")],
                    roleRef: RoleRef(kind: "Role", name: "approvers")))
        }
        try await fixture.review("two", by: "alice", groups: ["dev"], decision: .approve)
        let granted = try await fixture.waitFor("two", .granted)
        let counted = granted.status?.reviews?.filter(\.counted).map(\.reviewer).sorted()
        #expect(counted == ["alice", "carol"])
        // Each review carries its own verdict (the COUNTED column).
        try await eventually("review statuses written") {
            let own = try await fixture.admin.get(
                ActionReview.self, name: "two-bob-approve", namespace: fixture.namespace)
            let carols = try await fixture.admin.get(
                ActionReview.self, name: "two-carol-approve", namespace: fixture.namespace)
            return own.status?.counted == false && own.status?.reason?.hasPrefix("SelfApproval") == true
                && carols.status?.counted == true
        }
        await fixture.stop()
    }

    @Test func denyDeniesAndShorterApprovalWins() async throws {
        let fixture = try await LifecycleFixture.start("deny")
        defer { fixture.running.cancel() }
        try await fixture.allowReviewers()
        try await fixture.request("denied", by: "alice", groups: ["dev"])
        try await fixture.request("shortened", by: "alice", groups: ["dev"], duration: "30m")
        try await fixture.waitFor("denied", .pending)
        try await fixture.review("denied", by: "bob", groups: ["reviewers"], decision: .deny)
        let denied = try await fixture.waitFor("denied", .denied)
        #expect(denied.status?.conditions?[type: "Denied"]?.reason == "DeniedByReviewer")
        #expect(try await fixture.grantObjects(of: denied).isEmpty)

        try await fixture.review("shortened", by: "carol", groups: ["reviewers"], decision: .approve, duration: "5m")
        let granted = try await fixture.waitFor("shortened", .granted)
        let span = try #require(granted.status?.expiresAt).timeIntervalSince(try #require(granted.status?.grantedAt))
        #expect(abs(span - 300) < 0.01)
        await fixture.stop()
    }

    @Test func requesterRevokesItsGrant() async throws {
        let fixture = try await LifecycleFixture.start("revoke")
        defer { fixture.running.cancel() }
        try await fixture.policy("auto", ApprovalPolicySpec(decision: .autoApprove))
        try await fixture.request("mine", by: "alice", groups: ["dev"])
        let granted = try await fixture.waitFor("mine", .granted)
        #expect(try await !fixture.grantObjects(of: granted).isEmpty)
        // Someone without rights cannot revoke it.
        try await fixture.review("mine", by: "dave", decision: .revoke)
        try await eventually("dave's revoke rejected") {
            try await fixture.get("mine").status?.reviews?.contains { $0.reviewer == "dave" && !$0.counted } == true
        }
        #expect(try await fixture.get("mine").status?.phase == .granted)
        try await fixture.review("mine", by: "alice", groups: ["dev"], decision: .revoke)
        let revoked = try await fixture.waitFor("mine", .revoked)
        #expect(revoked.status?.conditions?[type: "Revoked"]?.reason == "Released")
        #expect(try await fixture.grantObjects(of: revoked).isEmpty)
        await fixture.stop()
    }

    @Test func pendingRequestExpiresUnreviewed() async throws {
        let fixture = try await LifecycleFixture.start("pending")
        defer { fixture.running.cancel() }
        try await fixture.policy(
            "quick", ApprovalPolicySpec(decision: .requireApproval, pendingTimeout: try KubeDuration(parsing: "3s")))
        try await fixture.request("waits", by: "alice", groups: ["dev"])
        let expired = try await fixture.waitFor("waits", .expired, timeout: .seconds(15))
        #expect(expired.status?.conditions?[type: "Expired"]?.reason == "NotReviewed")
        await fixture.stop()
    }

    @Test func guardrailsAndUntrustedIdentitiesAreDenied() async throws {
        let fixture = try await LifecycleFixture.start("guard")
        defer { fixture.running.cancel() }
        try await fixture.policy("auto", ApprovalPolicySpec(decision: .autoApprove))
        try await fixture.request(
            "wildcard", by: "alice",
            permissions: [PermissionRule(namespace: fixture.target, apiGroups: [""], resources: ["*"], verbs: ["get"])])
        let wildcard = try await fixture.waitFor("wildcard", .denied)
        #expect(wildcard.status?.conditions?[type: "Denied"]?.reason == "Wildcard")
        try await fixture.request(
            "admin", by: "alice", roleRef: TargetRoleRef(kind: .clusterRole, name: "cluster-admin", namespace: nil))
        #expect(
            try await fixture.waitFor("admin", .denied).status?.conditions?[type: "Denied"]?.reason == "ClusterAdmin")
        try await fixture.request("long", by: "alice", duration: "48h")
        #expect(
            try await fixture.waitFor("long", .denied).status?.conditions?[type: "Denied"]?.reason
                == "DurationAboveHardCap")
        /// A request to read config maps in the target namespace, written as `admin`.
        func configMapReader(
            _ name: String, credential: CredentialMode? = nil, subject: RBACSubject? = nil,
            requester: Identity? = nil
        ) throws -> ActionRequest {
            ActionRequest(
                metadata: ObjectMeta(name: name, namespace: fixture.namespace),
                spec: ActionRequestSpec(
                    reason: "test \(name)", duration: try KubeDuration(parsing: "5m"),
                    permissions: [
                        PermissionRule(
                            namespace: fixture.target, apiGroups: [""], resources: ["configmaps"], verbs: ["get"])
                    ],
                    credential: credential, subject: subject, requester: requester))
        }
        // A subject other than the requester could never be granted: refused before any review.
        let foreign = lifecycleSigner.stamp(
            try configMapReader("foreign", credential: .subject, subject: .user("mallory")),
            requester: Identity(username: "alice"))
        _ = try await fixture.admin.create(foreign)
        #expect(
            try await fixture.waitFor("foreign", .denied).status?.conditions?[type: "Denied"]?.reason
                == "InvalidRequest")
        // Written without the webhook: a forged requester is never acted on.
        _ = try await fixture.admin.create(
            try configMapReader("forged", requester: Identity(username: "alice", signature: "v1.0.AAAA")))
        let untrusted = try await fixture.waitFor("forged", .denied)
        #expect(untrusted.status?.conditions?[type: "Denied"]?.reason == "UntrustedIdentity")
        #expect(try await fixture.grantObjects(of: untrusted).isEmpty)
        // Stamped by the webhook, then widened by a later admission step (another mutating
        // webhook): no webhook checks a CREATE after Airlock's, the controller's check is it.
        var widened = lifecycleSigner.stamp(
            try configMapReader("widened"), requester: Identity(username: "alice", uid: "uid-alice"))
        widened.spec.permissions?[0].resources = ["secrets"]
        widened.spec.permissions?[0].verbs = ["get", "list"]
        _ = try await fixture.admin.create(widened)
        let tampered = try await fixture.waitFor("widened", .denied)
        #expect(tampered.status?.conditions?[type: "Denied"]?.reason == "UntrustedIdentity")
        #expect(try await fixture.grantObjects(of: tampered).isEmpty)
        await fixture.stop()
    }

    @Test func deletingTheRequestRevokesFirst() async throws {
        let fixture = try await LifecycleFixture.start("delete")
        defer { fixture.running.cancel() }
        try await fixture.policy("auto", ApprovalPolicySpec(decision: .autoApprove))
        try await fixture.request("gone", by: "alice")
        let granted = try await fixture.waitFor("gone", .granted)
        #expect(granted.metadata.finalizers == [AirlockConstants.revokeGrantsFinalizer])
        try await fixture.admin.delete(ActionRequest.self, name: "gone", namespace: fixture.namespace)
        try await eventually("request deleted after its grants") {
            do {
                _ = try await fixture.get("gone")
                return false
            } catch let error as KubernetesError where error.isNotFound {
                return true
            }
        }
        #expect(try await fixture.grantObjects(of: granted).isEmpty)
        await fixture.stop()
    }

    @Test func sweeperRemovesGrantsLeftByACrashedController() async throws {
        let fixture = try await LifecycleFixture.start("sweep")
        try await fixture.policy("auto", ApprovalPolicySpec(decision: .autoApprove))
        try await fixture.request("short", by: "alice", duration: "4s")
        try await fixture.request("orphan", by: "alice", duration: "1h")
        let short = try await fixture.waitFor("short", .granted)
        let orphan = try await fixture.waitFor("orphan", .granted)
        // The controller dies holding live grants.
        await fixture.stop()
        // While it is down, one request expires and the other disappears (finalizer forced off).
        _ = try await fixture.admin.patch(
            ActionRequest.self, name: "orphan", namespace: fixture.namespace,
            patch: .merge(["metadata": ["finalizers": nil]]))
        try await fixture.admin.delete(ActionRequest.self, name: "orphan", namespace: fixture.namespace)
        // Past its expiry and the 2 s the sweeper leaves a live controller to revoke on time.
        try await eventually("short request past its expiry and the sweeper's grace", timeout: .seconds(15)) {
            Date() > (short.status?.expiresAt ?? .distantFuture).addingTimeInterval(2.5)
        }
        #expect(try await !fixture.grantObjects(of: short).isEmpty)
        #expect(try await !fixture.grantObjects(of: orphan).isEmpty)

        // Airlock's own objects (signing key, webhook certificate) are managed by Airlock but
        // are no grant: the sweeper must leave them alone.
        let own = Secret(
            metadata: ObjectMeta(
                name: "airlock-own", namespace: fixture.namespace,
                labels: [
                    AirlockConstants.Label.managedBy: AirlockConstants.Label.managedByValue,
                    AirlockConstants.Label.requestNamespace: fixture.namespace,
                ]), data: ["key": Data("k".utf8)])
        _ = try await fixture.admin.create(own)

        // A new controller starts: its sweeper's first pass removes both sets of grants.
        let restarted = try LifecycleFixture.makeOperator(plane: fixture.plane, namespace: fixture.namespace)
        let requests = restarted.controller.primary
        let informer = Task { await requests.run() }
        defer { informer.cancel() }
        try await requests.store.waitUntilSynced()
        let removed = try await restarted.sweeper.sweepOnce()
        #expect(removed >= 10)
        #expect(try await fixture.grantObjects(of: short).isEmpty)
        #expect(try await fixture.grantObjects(of: orphan).isEmpty)
        #expect(try await fixture.admin.get(Secret.self, name: "airlock-own", namespace: fixture.namespace).data != nil)
    }
}
