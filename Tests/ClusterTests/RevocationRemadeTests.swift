import AirlockAPI
import Foundation
import KubeCore
import KubeTesting
import Testing

/// A grant object that another attempt at the same grant made again under its name — a crash
/// between its create and the status write, then a sweep of the first — is not the uid the
/// status records. Revocation deleted by the recorded uid, took the conflict for "nothing of
/// ours left", and the object kept its access until the sweeper's next pass (the chaos test saw
/// a Role 6 s after its expiry).
@Suite struct RevocationRemadeTests {
    @Test func aGrantObjectMadeAgainUnderItsNameIsRevokedWithTheGrant() async throws {
        try await AirlockFixture.with("revoke-remade") { fixture in
            try await fixture.policy("auto", ApprovalPolicySpec(decision: .autoApprove))
            try await fixture.request("brief", by: "alice", duration: "10s")
            let granted = try await fixture.waitFor("brief", .granted)
            let uid = try #require(granted.metadata.uid)
            let recorded = try #require(granted.status?.grants?.first { $0.kind == "Role" })
            let role = try await fixture.admin.get(Role.self, name: recorded.name, namespace: recorded.namespace)
            try await fixture.admin.delete(Role.self, name: recorded.name, namespace: recorded.namespace)
            let remade = try await fixture.admin.create(
                Role(
                    metadata: ObjectMeta(
                        name: recorded.name, namespace: recorded.namespace, labels: role.metadata.labels,
                        annotations: role.metadata.annotations),
                    rules: role.rules ?? []))
            #expect(remade.metadata.uid != recorded.uid)
            #expect(
                try await fixture.get("brief").status?.phase == .granted, "remade before the grant ended")

            try await fixture.waitFor("brief", .expired)
            #expect(try await fixture.grantObjects(uid: uid).isEmpty, "Expired is written once every object is gone")
        }
    }
}
