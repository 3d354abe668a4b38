import AirlockAPI
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

extension SecuritySweep {
    /// The credential of an Ephemeral grant, against the real API server, with people holding
    /// only the manifests' roles: its Secret is readable by its requester alone (not the
    /// reviewer who approved it, not another requester, not by listing), its token works while
    /// granted, and stops authenticating once revoked or expired (its ServiceAccount is gone;
    /// the API server caches a token's authentication for about 10 s).
    @Suite struct CredentialSecretTests {
        @Test func onlyTheRequesterReadsTheCredentialAndItDiesWithTheGrant() async throws {
            try await AirlockFixture.with("credential") { fixture in
                try await fixture.policy(
                    "review",
                    ApprovalPolicySpec(
                        decision: .requireApproval, approvals: ApprovalRequirement(required: 1),
                        maxDuration: KubeDuration(seconds: 3600)))
                _ = try await fixture.admin.create(
                    ConfigMap(metadata: ObjectMeta(name: "cm1", namespace: fixture.target), data: ["k": "v"]))

                // Revoked: the token dies.
                let revoked = try await grantedCredential("revoked", fixture, duration: "10m")
                try await fixture.review("revoked", by: "bob", decision: .revoke)
                _ = try await fixture.waitFor("revoked", .revoked, timeout: .seconds(30))
                try await expectUnauthenticated(revoked, fixture)

                // Expired: the token dies. (20 s: the window runs from the approval, and a loaded
                // CI machine may take seconds to get from there to using the token.)
                let expired = try await grantedCredential("expired", fixture, duration: "20s", checkingReaders: false)
                _ = try await fixture.waitFor("expired", .expired, timeout: .seconds(60))
                try await expectUnauthenticated(expired, fixture)
            }
        }

        /// Requests an Ephemeral grant as alice, has bob approve it, checks who may read its
        /// Secret (unless `checkingReaders` is false) and that its token works; returns the token.
        private func grantedCredential(
            _ name: String, _ fixture: AirlockFixture, duration: String, checkingReaders: Bool = true
        ) async throws -> String {
            try await fixture.request(name, by: "alice", duration: duration, credential: .ephemeral)
            _ = try await fixture.waitFor(name, .pending)
            try await fixture.review(name, by: "bob", decision: .approve)
            let granted = try await fixture.waitFor(name, .granted)
            let secretName = try #require(granted.status?.credentialSecretName)
            let namespace = fixture.namespace

            let secret = try await fixture.client("alice").get(Secret.self, name: secretName, namespace: namespace)
            let token = String(decoding: try #require(secret.data?["token"]), as: UTF8.self)
            if checkingReaders { try await expectOnlyAliceReads(secretName, fixture) }
            // The token works for exactly what was granted.
            let works = try await fixture.plane.withClient(token: token) { agent in
                try await agent.get(ConfigMap.self, name: "cm1", namespace: fixture.target).data
            }
            #expect(works == ["k": "v"])
            return token
        }

        /// Only alice, the requester, may read credential Secret `secretName`; nobody may list Secrets.
        private func expectOnlyAliceReads(_ secretName: String, _ fixture: AirlockFixture) async throws {
            let namespace = fixture.namespace
            for user in ["bob", "carol", "dave"] {
                let error = await #expect(throws: KubernetesError.self, "\(user) read the credential") {
                    try await fixture.client(user).get(Secret.self, name: secretName, namespace: namespace)
                }
                #expect(error?.isForbidden == true)
            }
            for user in ["alice", "bob", "dave"] {
                let error = await #expect(throws: KubernetesError.self, "\(user) listed Secrets") {
                    try await fixture.client(user).list(Secret.self, namespace: namespace)
                }
                #expect(error?.isForbidden == true)
            }
            // The API server's own answer for each of them (what the Role grants, by name).
            for (user, allowed) in [("alice", true), ("bob", false), ("carol", false), ("dave", false)] {
                let review = try await fixture.admin.create(
                    SubjectAccessReview(
                        user: user,
                        resourceAttributes: ResourceAttributes(
                            namespace: namespace, verb: "get", resource: "secrets", name: secretName)))
                #expect(review.status?.allowed == allowed, "\(user) get secrets/\(secretName)")
            }
        }

        private func expectUnauthenticated(_ token: String, _ fixture: AirlockFixture) async throws {
            try await eventually(
                "the token no longer authenticates", timeout: .seconds(30), interval: .milliseconds(500)
            ) {
                do {
                    _ = try await fixture.plane.withClient(token: token) { agent in
                        try await agent.get(ConfigMap.self, name: "cm1", namespace: fixture.target)
                    }
                    return false
                } catch let error as KubernetesError where error.isUnauthorized {
                    return true
                } catch let error as KubernetesError where error.isForbidden {
                    return false
                }
            }
        }
    }
}
