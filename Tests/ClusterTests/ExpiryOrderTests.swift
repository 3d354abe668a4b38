import AirlockAPI
import Foundation
import KubeCore
import KubeTesting
import Testing

/// How a grant ends, call by call, against the real API server (issue 9): the binding goes
/// first and on its own, the rest a second later — at a burst of expiries the API server works
/// on the deletes that end access, not also on Role deletes and status writes — and the whole
/// ending still costs the three calls it did.
@Suite struct ExpiryOrderTests {
    @Test func atExpiryTheBindingGoesAloneThenTheRoleThenTheStatus() async throws {
        try await AirlockFixture.with("expiry-order") { fixture in
            try await fixture.policy("auto", ApprovalPolicySpec(decision: .autoApprove))
            let start = ContinuousClock.now
            try await fixture.request("brief", by: "alice", duration: "3s")
            let granted = try await fixture.waitFor("brief", .granted)
            let uid = try #require(granted.metadata.uid)
            try await fixture.waitFor("brief", .expired)
            #expect(try await fixture.grantObjects(uid: uid).isEmpty)

            let calls = fixture.faults.calls(
                since: start, pathContainsAny: ["/rolebindings", "/roles", "/actionrequests/brief"])
            let ending = Array(calls.drop { !$0.hasPrefix("DELETE ") })
            #expect(ending.count == 3, "the ending's calls: \(ending)")
            #expect(ending.first?.hasPrefix("DELETE /apis/rbac.authorization.k8s.io/v1/namespaces/") == true)
            #expect(ending.first?.contains("/rolebindings/") == true, "the binding first: \(ending)")
            #expect(ending.dropFirst().first?.contains("/roles/") == true, "then the Role: \(ending)")
            #expect(ending.last?.hasPrefix("PUT ") == true && ending.last?.hasSuffix("/brief/status") == true)
            let binding = try #require(fixture.faults.firstCall(.delete, pathContains: "/rolebindings/", since: start))
            let role = try #require(fixture.faults.firstCall(.delete, pathContains: "/roles/", since: start))
            #expect(
                binding.duration(to: role) >= .milliseconds(500), "the Role went \(binding.duration(to: role)) later")
        }
    }
}
