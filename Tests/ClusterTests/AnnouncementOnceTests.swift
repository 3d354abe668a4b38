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

    /// After a restart the catch-up leaves the Events already sent alone (no create answered
    /// 409 for each) and sends what is missing: here, an Event deleted while no controller ran.
    @Test func aRestartSendsOnlyTheEventsThatAreMissing() async throws {
        try await AirlockFixture.with("events-restart") { fixture in
            try await fixture.policy("auto", ApprovalPolicySpec(decision: .autoApprove))
            var uids: [String] = []
            for name in ["kept", "lost"] {
                try await fixture.request(name, by: "alice", duration: "1h")
                uids.append(try #require(try await fixture.waitFor(name, .granted).metadata.uid))
            }
            func recorded() async throws -> [Event] {
                try await fixture.admin.list(Event.self, namespace: fixture.namespace).items.filter {
                    uids.contains($0.regarding.uid ?? "")
                }
            }
            try await eventually("both Granted Events recorded") {
                try await recorded().filter { $0.reason == "Granted" }.count == 2
            }
            try await fixture.stopController()
            let before = try await recorded()
            let lost = try #require(
                before.first { $0.regarding.uid == uids[1] && $0.reason == "Granted" }?.metadata.name)
            try await fixture.admin.delete(Event.self, name: lost, namespace: fixture.namespace)

            let faults = FaultPlan()
            let restarted = try await fixture.startController(identity: "restarted", faults: faults)
            try await eventually("the deleted Event sent again", timeout: .seconds(30)) {
                try await recorded().contains { $0.metadata.name == lost }
            }
            await restarted.stop()
            let created = try faults.bodies(.post, pathContains: "/namespaces/\(fixture.namespace)/events")
                .map { try JSONDecoder().decode(Named.self, from: $0).metadata.name }
            #expect(created == [lost], "created again: \(created)")
            #expect(Set(try await recorded().compactMap(\.metadata.name)) == Set(before.compactMap(\.metadata.name)))
        }
    }
}
