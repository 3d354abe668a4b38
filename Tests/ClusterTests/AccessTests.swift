import AirlockAPI
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// Authentication and authorization against a real kube-apiserver: tokens, RBAC, reviews.
@Suite struct AccessTests {
    @Test func tokenRequestAuthenticatesAsTheServiceAccount() async throws {
        let fixture = try await ClusterFixture.make("token")
        _ = try await fixture.admin.create(
            ServiceAccount(metadata: ObjectMeta(name: "robot", namespace: fixture.namespace)))
        let request = try await fixture.admin.requestToken(
            serviceAccount: "robot", namespace: fixture.namespace, expirationSeconds: 600)
        let token = try #require(request.status?.token)
        #expect(request.status.map { $0.expirationTimestamp > Date() } == true)

        let review = try await fixture.admin.create(TokenReview(token: token))
        #expect(review.status?.authenticated == true)
        #expect(review.status?.user?.username == "system:serviceaccount:\(fixture.namespace):robot")
        #expect(review.status?.user?.groups?.contains("system:serviceaccounts:\(fixture.namespace)") == true)

        // The token works as a credential; the ServiceAccount holds no permissions.
        let answer = try await fixture.controlPlane.withClient(token: token) { client in
            try await client.create(
                SelfSubjectAccessReview(
                    resourceAttributes: ResourceAttributes(
                        namespace: fixture.namespace, verb: "list", resource: "secrets")))
        }
        #expect(answer.status?.allowed == false)
    }

    @Test func anUnknownTokenIsUnauthorized() async throws {
        let fixture = try await ClusterFixture.make("badtoken")
        let error = await #expect(throws: KubernetesError.self) {
            try await fixture.controlPlane.withClient(token: "not-a-token") { client in
                try await client.list(ConfigMap.self, namespace: fixture.namespace)
            }
        }
        #expect(error?.isUnauthorized == true)
    }

    @Test func subjectAccessReviewFollowsRBAC() async throws {
        let fixture = try await ClusterFixture.make("sar")
        let admin = fixture.admin
        _ = try await admin.create(
            Role(
                metadata: ObjectMeta(name: "configmap-reader", namespace: fixture.namespace),
                rules: [PolicyRule(apiGroups: [""], resources: ["configmaps"], verbs: ["get"])]))
        _ = try await admin.create(
            RoleBinding(
                metadata: ObjectMeta(name: "alice-reads", namespace: fixture.namespace), subjects: [.user("alice")],
                roleRef: RoleRef(kind: "Role", name: "configmap-reader")))

        func allowed(_ verb: String, namespace: String) async throws -> Bool {
            let review = try await admin.create(
                SubjectAccessReview(
                    user: "alice", groups: ["dev"],
                    resourceAttributes: ResourceAttributes(namespace: namespace, verb: verb, resource: "configmaps")))
            return try #require(review.status).allowed
        }
        // RBAC is read from informers: the binding takes effect within moments.
        try await eventually("alice may get configmaps") { try await allowed("get", namespace: fixture.namespace) }
        #expect(try await allowed("delete", namespace: fixture.namespace) == false)
        #expect(try await allowed("get", namespace: "default") == false)

        // And the API server enforces the same answer on alice's own requests.
        let alice = try fixture.controlPlane.client(as: "alice")
        _ = try await admin.create(ConfigMap(metadata: ObjectMeta(name: "settings", namespace: fixture.namespace)))
        #expect(
            try await alice.get(ConfigMap.self, name: "settings", namespace: fixture.namespace).metadata.name
                == "settings")
        let error = await #expect(throws: KubernetesError.self) {
            try await alice.delete(ConfigMap.self, name: "settings", namespace: fixture.namespace)
        }
        #expect(error?.isForbidden == true)
    }

    @Test func aUserWithoutPermissionsIsForbidden() async throws {
        let fixture = try await ClusterFixture.make("forbidden")
        let dave = try fixture.controlPlane.client(as: "dave")
        let listError = await #expect(throws: KubernetesError.self) {
            try await dave.list(ActionRequest.self, namespace: fixture.namespace)
        }
        #expect(listError?.isForbidden == true)
        #expect(listError?.message.contains("dave") == true)

        let createError = await #expect(throws: KubernetesError.self) {
            try await dave.create(fixture.actionRequest("not-allowed"))
        }
        #expect(createError?.isForbidden == true)
    }
}
