import AirlockAPI
import AirlockPolicy
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// Each review gets its verdict copied onto its status once. The pass right after the one that
/// writes a copy often decides before the review's own watch event arrives, on a cache that
/// still shows the review without the copy. Writing the copy again costs a call that either
/// fails (409 Conflict, and a warning in the log) or changes nothing, on every counted review.
@Suite struct ReviewCopyTests {
    @Test func eachReviewsVerdictIsWrittenOnce() async throws {
        try await AirlockFixture.with("copies") { fixture in
            try await fixture.policy(
                "two", ApprovalPolicySpec(decision: .requireApproval, approvals: ApprovalRequirement(required: 2)))
            try await fixture.request("twice", by: "alice")
            try await fixture.waitFor("twice", .pending)
            try await fixture.review("twice", by: "bob", decision: .approve)
            try await eventually("bob's approval counted") {
                try await fixture.get("twice").status?.conditions?[type: "Approved"]?.message == "1 of 2 approvals"
            }
            try await fixture.review("twice", by: "carol", decision: .approve)
            try await fixture.waitFor("twice", .granted)
            for name in ["twice-bob-approve", "twice-carol-approve"] {
                try await eventually("\(name)'s verdict copied") {
                    try await fixture.admin.get(ActionReview.self, name: name, namespace: fixture.namespace)
                        .status?.counted == true
                }
            }
            // Passes for one request run one at a time: once the revocation's pass is done, so
            // is every pass that could have written a copy again.
            try await fixture.review("twice", by: "alice", decision: .revoke)
            try await fixture.waitFor("twice", .revoked)
            for name in ["twice-bob-approve", "twice-carol-approve"] {
                let writes = fixture.faults.bodies(.put, pathContains: "/actionreviews/\(name)/status")
                #expect(writes.count == 1, "\(name)'s status was written \(writes.count) times")
            }
        }
    }
}
