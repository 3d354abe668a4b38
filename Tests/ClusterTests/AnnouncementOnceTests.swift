import AirlockAPI
import Foundation
import KubeCore
import KubeTesting
import Testing

/// A lifecycle sends each of its Events once: the catch-up after a start (Events a crash may
/// have kept from being sent) leaves out what the same pass just sent, instead of creating it
/// again to be answered 409 (one wasted call per request, issue 9).
@Suite struct AnnouncementOnceTests {
    private struct Named: Decodable {
        struct Metadata: Decodable { var name: String }
        var metadata: Metadata
    }

    @Test func eachEventOfALifecycleIsCreatedOnce() async throws {
        try await AirlockFixture.with("events-once") { fixture in
            try await fixture.policy("auto", ApprovalPolicySpec(decision: .autoApprove))
            try await fixture.request("once", by: "alice", duration: "2s")
            let expired = try await fixture.waitFor("once", .expired)
            let uid = try #require(expired.metadata.uid)
            var recorded: [Event] = []
            try await eventually("the Granted and expiry Events recorded") {
                recorded = try await fixture.admin.list(Event.self, namespace: fixture.namespace).items
                    .filter { $0.regarding.uid == uid }
                return Set(recorded.compactMap(\.reason)).isSuperset(of: ["Granted", "DurationElapsed"])
            }
            // Every Event the controller tried to create in the namespace, by name: none twice.
            let created = try fixture.faults.bodies(.post, pathContains: "/namespaces/\(fixture.namespace)/events")
                .map { try JSONDecoder().decode(Named.self, from: $0).metadata.name }
            #expect(Set(created).count == created.count, "created more than once: \(created)")
            #expect(Set(recorded.compactMap(\.metadata.name)).isSubset(of: created))
        }
    }
}
