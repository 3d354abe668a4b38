import AirlockAPI
import AirlockController
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// Grant objects made in advance under the names Airlock will use. A name follows from the
/// request's uid, which the requester learns as soon as the create returns, and labels are
/// anyone's to write. So an object found under a grant's name is used only when it gives
/// exactly the access planned: a Role or binding "of the request" with wider rules, other
/// subjects or a planted credential ends the request as Failed, with nothing bound to it.
extension SecuritySweep {
    @Suite struct SquatAttackTests {
        /// The labels Airlock puts on the request's objects (an attacker can copy them).
        func labels(_ fixture: AirlockFixture, _ request: ActionRequest) throws -> [String: String] {
            GrantPlanner.labels(
                namespace: fixture.namespace, name: request.metadata.name ?? "", uid: try #require(request.metadata.uid)
            )
        }

        func objectName(_ request: ActionRequest, _ purpose: String) throws -> String {
            GrantPlanner.objectName(
                request: request.metadata.name ?? "", uid: try #require(request.metadata.uid), purpose: purpose)
        }

        /// Creates `name` as a pending request; `squat` then plants objects before bob approves.
        func approveAfterSquatting(
            _ fixture: AirlockFixture, _ name: String, credential: CredentialMode = .subject,
            squat: (ActionRequest) async throws -> Void
        ) async throws -> ActionRequest {
            let request = try await fixture.request(name, by: "alice", credential: credential)
            try await fixture.waitFor(name, .pending)
            try await squat(request)
            try await fixture.review(name, by: "bob", decision: .approve)
            return request
        }

        func grantMessage(_ request: ActionRequest) -> String {
            request.status?.conditions?[type: AirlockConstants.ConditionType.granted]?.message ?? ""
        }

        @Test func aRoleWithWiderRulesUnderTheGrantsNameIsNotBound() async throws {
            try await AirlockFixture.with("squat-role") { fixture in
                try await fixture.policy("one", ApprovalPolicySpec(decision: .requireApproval))
                var roleName = ""
                _ = try await approveAfterSquatting(fixture, "wide") { request in
                    roleName = try objectName(request, "role-\(fixture.target)")
                    _ = try await fixture.admin.create(
                        Role(
                            metadata: ObjectMeta(
                                name: roleName, namespace: fixture.target, labels: try labels(fixture, request)),
                            rules: [PolicyRule(apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"])]))
                }
                let failed = try await fixture.waitFor("wide", .failed)
                #expect(grantMessage(failed).contains("does not give the access planned"), "\(grantMessage(failed))")
                let bindings = try await fixture.admin.list(RoleBinding.self, namespace: fixture.target).items
                #expect(!bindings.contains { $0.roleRef.name == roleName }, "\(bindings.map(\.metadata.name))")
            }
        }

        @Test func aBindingWithAnotherSubjectUnderTheGrantsNameIsRefused() async throws {
            try await AirlockFixture.with("squat-binding") { fixture in
                try await fixture.policy("one", ApprovalPolicySpec(decision: .requireApproval))
                _ = try await approveAfterSquatting(fixture, "extra") { request in
                    let name = try objectName(request, "role-\(fixture.target)")
                    _ = try await fixture.admin.create(
                        RoleBinding(
                            metadata: ObjectMeta(
                                name: name, namespace: fixture.target, labels: try labels(fixture, request)),
                            subjects: [.user("alice"), .user("mallory")], roleRef: RoleRef(kind: "Role", name: name)))
                }
                let failed = try await fixture.waitFor("extra", .failed)
                #expect(grantMessage(failed).contains("does not give the access planned"), "\(grantMessage(failed))")
                // What the grant made is removed, and the binding labelled as the request's with it.
                try await eventually("the request's objects to be gone", timeout: .seconds(10)) {
                    try await fixture.grantObjects(uid: failed.metadata.uid ?? "").isEmpty
                }
            }
        }

        @Test func aPlantedCredentialForAnotherAccountIsRefused() async throws {
            try await AirlockFixture.with("squat-secret") { fixture in
                try await fixture.policy("one", ApprovalPolicySpec(decision: .requireApproval))
                _ = try await fixture.admin.create(
                    ServiceAccount(metadata: ObjectMeta(name: "powerful", namespace: fixture.namespace)))
                let token = try await fixture.admin.requestToken(
                    serviceAccount: "powerful", namespace: fixture.namespace, expirationSeconds: 600)
                let planted = try #require(token.status?.token)
                _ = try await approveAfterSquatting(fixture, "planted", credential: .ephemeral) { request in
                    _ = try await fixture.admin.create(
                        Secret(
                            metadata: ObjectMeta(
                                name: try objectName(request, "credential"), namespace: fixture.namespace,
                                labels: try labels(fixture, request)),
                            data: ["token": Data(planted.utf8)]))
                }
                let failed = try await fixture.waitFor("planted", .failed)
                #expect(grantMessage(failed).contains("does not give the access planned"), "\(grantMessage(failed))")
            }
        }

        /// The other side: objects that give exactly the planned access (as a controller that
        /// crashed mid-grant leaves them) are taken over, as they come back from the API server.
        @Test func objectsGivingExactlyThePlannedAccessAreTakenOver() async throws {
            try await AirlockFixture.with("squat-same") { fixture in
                try await fixture.policy("one", ApprovalPolicySpec(decision: .requireApproval))
                _ = try await approveAfterSquatting(fixture, "same", credential: .ephemeral) { request in
                    let planned = try GrantPlanner().plan(
                        request: request, duration: try KubeDuration(parsing: "10m"), now: Date())
                    for role in planned.roles { _ = try await fixture.admin.create(role) }
                    for binding in planned.roleBindings { _ = try await fixture.admin.create(binding) }
                }
                let granted = try await fixture.waitFor("same", .granted)
                #expect(granted.status?.grants?.count == 6)
            }
        }
    }
}
