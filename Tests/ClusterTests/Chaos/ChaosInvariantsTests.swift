import AirlockAPI
import AirlockController
import Foundation
import KubeCore
import Testing

/// The chaos test's checks can fail: each kind of violation, planted in otherwise clean data,
/// is found (no cluster needed).
@Suite struct ChaosInvariantsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// `chaos-0` (auto-approved) granted and expired, audited exactly, no card.
    static func expired(uid: String = "u0") -> ActionRequest {
        var metadata = ObjectMeta(name: "chaos-0", namespace: "chaos")
        metadata.uid = uid
        return ActionRequest(
            metadata: metadata,
            spec: ActionRequestSpec(reason: "chaos", duration: KubeDuration(seconds: 4)),
            status: ActionRequestStatus(
                phase: .expired, decision: PolicyDecision(outcome: .autoApprove), grantedAt: now,
                expiresAt: now.addingTimeInterval(4), grants: []))
    }

    static func records(uid: String = "u0", events: [String] = ["evaluated", "granted", "expired"]) -> [AuditRecord] {
        events.map { AuditRecord(time: now, event: $0, request: "chaos/chaos-0", requestUID: uid, key: "\(uid)/\($0)") }
    }

    func invariants(
        requests: [ActionRequest] = [expired()], records: [AuditRecord] = records(), cardPosts: [String: Int] = [:],
        replies: [String: [String]] = [:], monitor: ChaosMonitor.State = .init(),
        remaining: [ChaosMonitor.Grant] = []
    ) -> ChaosInvariants {
        ChaosInvariants(
            requests: requests, reviews: [], records: records, cardPosts: cardPosts, replies: replies,
            monitor: monitor, remainingGrants: remaining, now: Self.now)
    }

    @Test func cleanDataHasNoViolation() {
        #expect(invariants().violations().isEmpty)
    }

    @Test func eachPlantedViolationIsFound() {
        var late = ChaosMonitor.State()
        late.lateGrants["RoleBinding/t/x"] = "RoleBinding/t/x seen 9.0 s after its expiry"
        #expect(invariants(monitor: late).violations() == ["RoleBinding/t/x seen 9.0 s after its expiry"])

        var remade = ChaosMonitor.State()
        remade.uids["Role/t/x"] = ["a": Self.now...Self.now, "b": Self.now...Self.now]
        #expect(invariants(monitor: remade).violations().first?.contains("made 2 times") == true)

        let twice = invariants(records: Self.records(events: ["evaluated", "granted", "expired", "expired"]))
        #expect(twice.violations().first?.contains("audit records") == true)
        let lost = invariants(records: Self.records(events: ["evaluated", "granted"]))
        #expect(lost.violations().first?.contains("audit records") == true)

        #expect(invariants(cardPosts: ["u0": 2]).violations() == ["chaos-0: 2 cards posted"])
        #expect(invariants(replies: ["u0": ["ended", "ended"]]).violations().first?.contains("posted twice") == true)
        let left = ChaosMonitor.Grant(key: "RoleBinding/t/x", uid: "g", requestUID: "u0", expiresAt: Self.now)
        #expect(invariants(remaining: [left]).violations().first?.contains("grants left after Expired") == true)

        var pending = Self.expired()
        pending.status?.phase = .pending
        let found = invariants(requests: [pending], records: Self.records(events: ["evaluated", "granted"]))
            .violations()
        #expect(found.contains { $0.contains("Pending, expected Expired") })
        #expect(found.contains { $0.contains("Pending without a decision to wait for") })
        #expect(found.contains { $0.contains("Pending with grants") })
        #expect(found.contains { $0.contains("Pending with 0 cards") })
    }

    /// bob clicked Approve three times: one counted, two rejected; the status keeps his latest
    /// rejected review only (a flood stays bounded), the audit has all three.
    @Test func aRejectedReviewDroppedFromTheBoundedStatusIsNoLostReview() {
        func review(_ name: String) -> ActionReview {
            var metadata = ObjectMeta(name: name, namespace: "chaos")
            metadata.creationTimestamp = Self.now.addingTimeInterval(-10)
            return ActionReview(metadata: metadata, spec: ActionReviewSpec(request: "chaos-0", decision: .approve))
        }
        func record(_ name: String, counted: Bool) -> ReviewRecord {
            ReviewRecord(
                review: name, reviewer: "bob", decision: .approve, at: Self.now, channel: "slack", counted: counted)
        }
        func audited(_ name: String, _ event: String) -> AuditRecord {
            AuditRecord(
                time: Self.now, event: event, request: "chaos/chaos-0", requestUID: "u0", key: "u0/review/\(name)")
        }
        var request = Self.expired()
        request.status?.conditions = [
            Condition(
                type: "Expired", status: "True", lastTransitionTime: Self.now, reason: "DurationElapsed", message: "")
        ]
        request.status?.reviews = [record("r1", counted: true), record("r3", counted: false)]
        let reviews = ["r1", "r2", "r3"].map(review)
        var records = Self.records()
        records += [audited("r1", "reviewed"), audited("r2", "review-rejected"), audited("r3", "review-rejected")]
        func check(_ records: [AuditRecord], _ status: ActionRequest = request) -> [String] {
            ChaosInvariants(
                requests: [status], reviews: reviews, records: records, cardPosts: [:], replies: [:], monitor: .init(),
                remainingGrants: [], now: Self.now
            ).violations()
        }
        #expect(check(records).isEmpty)
        // r2 never audited: lost.
        #expect(
            check(records.filter { $0.key != "u0/review/r2" }) == ["chaos-0: review r2 persisted but not in the status"]
        )
        // A counted review missing from the status is lost, audited or not.
        var dropped = request
        dropped.status?.reviews = [record("r3", counted: false)]
        #expect(check(records, dropped).contains("chaos-0: counted review r1 audited but not in the status"))
        // Listed but audited twice, or as something else.
        #expect(check(records + [audited("r1", "reviewed")]).contains { $0.contains("review r1 (counted) audited as") })
    }
}
