import AirlockAPI
import AirlockController
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// Issue 8, build item 7: while Airlock's webhook configurations are missing or altered, the
/// controller does not act on what is created in that window.
extension SecuritySweep {
    @Suite struct WebhookIntegrityTests {
        @Test func requestsAndReviewsCreatedWhileAWebhookIsAlteredAreRefused() async throws {
            try await AirlockFixture.with("integrity", verifyWebhooks: true) { fixture in
                try await fixture.policy("one", ApprovalPolicySpec(decision: .requireApproval))
                let integrity = try #require(fixture.airlock.integrity)
                try await eventually("intact at start") { fixture.airlock.isReady }
                #expect(integrity.isIntact, "\(integrity.problems)")
                let before = try await fixture.request("before", by: "alice")
                try await fixture.waitFor("before", .pending)
                // Past the window's margin (1 s here, 10 s by default) for the request made before.
                let created = try #require(before.metadata.creationTimestamp).timeIntervalSince1970
                try await eventually("past the margin") { Date().timeIntervalSince1970 > created + 2.05 }

                // Someone lets requests through when the webhook is down.
                let name = "airlock-fixture-\(fixture.id)"
                var validating = try await fixture.admin.get(ValidatingWebhookConfiguration.self, name: name)
                validating.webhooks?[0].failurePolicy = "Ignore"
                _ = try await fixture.admin.update(validating)
                try await eventually("noticed", timeout: .seconds(10)) { !integrity.isIntact }
                try await fixture.request("during", by: "alice")
                let refused = try await fixture.waitFor("during", .denied)
                #expect(refused.status?.conditions?[type: "Denied"]?.reason == "AdmissionUnverified")
                try await fixture.review("before", by: "bob", decision: .approve, name: "window-approval")
                let rejected = try await eventuallyValue("the review made in the window judged") {
                    try await fixture.get("before").status?.reviews?.first { $0.review == "window-approval" }
                }
                #expect(rejected.rejectedReason?.hasPrefix("AdmissionUnverified") == true, "\(rejected)")
                #expect(try await fixture.get("before").status?.phase == .pending)

                // Restored: what is created from now on is acted on again.
                validating = try await fixture.admin.get(ValidatingWebhookConfiguration.self, name: name)
                validating.webhooks?[0].failurePolicy = "Fail"
                _ = try await fixture.admin.update(validating)
                try await eventually("whole again", timeout: .seconds(10)) { integrity.isIntact }
                // Creation timestamps have 1 s resolution: what shares the window's last second is
                // still in it.
                let restored = Date().timeIntervalSince1970.rounded(.up)
                try await eventually("the next second") { Date().timeIntervalSince1970 > restored }
                try await fixture.review("before", by: "carol", decision: .approve, name: "later-approval")
                try await fixture.waitFor("before", .granted)
                try await eventually("a Warning Event on the configuration") {
                    try await fixture.admin.list(Event.self, namespace: "kube-system").items.contains {
                        $0.reason == "AdmissionWebhooksAltered" && $0.regarding.name == name && $0.type == "Warning"
                    }
                }
            }
        }
    }
}
