import AirlockAPI
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Synchronization
import Testing

/// The lifecycle and the notifier both write a request's status: the notifier records every
/// delivery attempt in `status.notifications`, the lifecycle everything else. A CI run showed
/// a request approved while Slack failed staying Pending for over 20 s: under load each
/// lifecycle pass met a newer delivery record, got 409 Conflict, and its backoff doubled.
@Suite struct StatusWriterTests {
    @Test func deliveryRecordsWrittenAllTheTimeDoNotHoldUpTheLifecycle() async throws {
        try await AirlockFixture.with("writers") { fixture in
            try await fixture.policy("one", ApprovalPolicySpec(decision: .requireApproval))
            try await fixture.request("busy", by: "alice")
            try await fixture.waitFor("busy", .pending)
            // A notifier whose channel fails: it records an attempt as soon as its last is written.
            let stop = Mutex(false)
            let recorder = Task {
                var attempts = 0
                while !stop.withLock({ $0 }) {
                    var request = try await fixture.get("busy")
                    attempts += 1
                    request.status?.notifications = [
                        NotificationState(channel: "slack", target: "#ops", attempts: attempts, lastError: "HTTP 503")
                    ]
                    do {
                        _ = try await fixture.admin.updateStatus(request)
                    } catch let error as KubernetesError where error.isConflict {
                        continue
                    }
                }
                return attempts
            }
            try await fixture.review("busy", by: "bob", decision: .approve)
            let granted = try await fixture.waitFor("busy", .granted, timeout: .seconds(20))
            stop.withLock { $0 = true }
            let attempts = try await recorder.value
            // (Dozens on a quiet machine, where the lifecycle without its rebase never got through.)
            #expect(attempts >= 2, "the recorder kept writing: \(attempts)")
            #expect(granted.status?.grants?.isEmpty == false)
            // The lifecycle's write kept the notifier's record (put onto the newest version).
            let final = try await fixture.get("busy")
            #expect(final.status?.notifications?.first?.attempts ?? 0 >= 1, "\(final.status?.notifications ?? [])")
            #expect(final.status?.phase == .granted)
        }
    }
}
