import AirlockAPI
import Foundation
import KubeCore
import KubeTesting
import Testing

/// A lifecycle sends each of its Events once: the catch-up after a start (Events a crash may
/// have kept from being sent) leaves out what the same pass just sent, instead of creating it
/// again to be answered 409 (one wasted call per request, issue 9).
@Suite struct AnnouncementOnceTests {
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
            let creates = fixture.faults.count(.post, pathContains: "/namespaces/\(fixture.namespace)/events")
            #expect(creates == recorded.count, "\(creates) creates for \(recorded.map(\.reason))")
        }
    }
}
