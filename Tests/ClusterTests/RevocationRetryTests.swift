import AirlockAPI
import Foundation
import KubeCore
import KubeTesting
import Testing

/// Access ends on time after a run of failed revocations: a revocation that fails is tried
/// again within a second, not after a per-key backoff that doubles with every failure (the
/// chaos test's slow cleanup after an API server restart, issue 14).
@Suite struct RevocationRetryTests {
    @Test func aRevocationFailingForSecondsEndsAccessWithinSecondsOfRecovering() async throws {
        try await AirlockFixture.with("revoke-retry") { fixture in
            // Every delete of a RoleBinding is forbidden — from the grant's expiry, its first
            // revocation, until 11 s later — as while a restarted API server fills its RBAC cache.
            // A doubling backoff (5 ms, 10 ms, ...) would next try 20 s after the first failure,
            // 9 s after the outage.
            let granted = try await Self.grantWhoseBindingCannotBeDeleted(fixture, duration: "4s")
            let uid = try #require(granted.metadata.uid)
            let expiresAt = try #require(granted.status?.expiresAt)
            try await eventually("revocations failing", timeout: .seconds(30)) { fixture.faults.injected >= 3 }
            let outageEnds = expiresAt.addingTimeInterval(11)
            try await Task.sleep(for: .seconds(max(0, outageEnds.timeIntervalSinceNow)))
            #expect(try await fixture.grantObjects(uid: uid).contains { $0.hasPrefix("RoleBinding/") })
            let failures = fixture.faults.injected
            fixture.faults.clear()
            let recovered = ContinuousClock.now

            try await eventually("the binding removed", timeout: .seconds(20), interval: .milliseconds(50)) {
                try await !fixture.grantObjects(uid: uid).contains { $0.hasPrefix("RoleBinding/") }
            }
            // When the controller tried again is what its retry decides; how soon the delete is
            // done and seen after that depends on the machine's load.
            let retried = try #require(
                fixture.faults.firstCall(.delete, pathContains: "/rolebindings/", since: recovered))
            let late = recovered.duration(to: retried)
            #expect(late < .milliseconds(2500), "tried \(late) after the outage, after \(failures) forbidden deletes")
            #expect(failures >= 6, "tried about once a second during the outage: \(failures)")
            try await fixture.waitFor("brief", .expired)
        }
    }

    /// A request's grant objects are deleted all at once: one that cannot be deleted holds
    /// back neither the others nor the worker (the old order deleted the Role only after its
    /// RoleBinding, so a failing binding kept every other object).
    @Test func aFailingDeleteDoesNotHoldBackTheOtherGrantObjects() async throws {
        try await AirlockFixture.with("revoke-all") { fixture in
            let granted = try await Self.grantWhoseBindingCannotBeDeleted(fixture, duration: "3s")
            let uid = try #require(granted.metadata.uid)
            try await eventually("the Role deleted while its binding's delete fails", timeout: .seconds(30)) {
                let objects = try await fixture.grantObjects(uid: uid)
                return !objects.contains { $0.hasPrefix("Role/") } && objects.contains { $0.hasPrefix("RoleBinding/") }
            }
            #expect(fixture.faults.injected >= 1)
            #expect(
                try await fixture.get("brief").status?.phase == .granted, "Expired is written once every object is gone"
            )
            fixture.faults.clear()
            try await fixture.waitFor("brief", .expired)
            #expect(try await fixture.grantObjects(uid: uid).isEmpty)
        }
    }

    /// An auto-approved request "brief", Granted, while every RoleBinding delete is forbidden
    /// (until `fixture.faults.clear()`). The fault is set before the request: a loaded machine
    /// may report Granted only after the grant has already expired.
    private static func grantWhoseBindingCannotBeDeleted(
        _ fixture: AirlockFixture, duration: String
    ) async throws -> ActionRequest {
        try await fixture.policy("auto", ApprovalPolicySpec(decision: .autoApprove))
        fixture.faults.fail(.delete, pathContains: "/rolebindings/", times: 100_000, code: 403, reason: "Forbidden")
        try await fixture.request("brief", by: "alice", duration: duration)
        return try await fixture.waitFor("brief", .granted)
    }
}
