import AirlockAPI
import AirlockController
import Foundation
import KubeCore
import Testing

private typealias F = LifecycleFixture

/// When the lifecycle's status write meets a newer version, it is put onto that version only
/// if the notifier's delivery records are all that changed.
struct StatusRebaseTests {
    static let read: ActionRequest = {
        var request = F.request(status: F.grantedStatus())
        request.metadata.resourceVersion = "10"
        return request
    }()

    @Test func newerDeliveryRecordsAndVersionOnly() {
        var newer = Self.read
        newer.metadata.resourceVersion = "11"
        newer.status?.notifications = [NotificationState(channel: "slack", attempts: 3, lastError: "HTTP 503")]
        #expect(ActionRequestLifecycle.differsOnlyInDeliveries(newer, from: Self.read))
        #expect(ActionRequestLifecycle.differsOnlyInDeliveries(Self.read, from: Self.read))
    }

    @Test func anythingElseChangedIsDecidedAgain() {
        var phase = Self.read
        phase.status?.phase = .revoked
        var spec = Self.read
        spec.spec.reason = "something else"
        var deleting = Self.read
        deleting.metadata.deletionTimestamp = F.now
        var recreated = Self.read
        recreated.metadata.uid = "another"
        var noStatus = Self.read
        noStatus.status = nil
        for newer in [phase, spec, deleting, recreated, noStatus] {
            #expect(!ActionRequestLifecycle.differsOnlyInDeliveries(newer, from: Self.read))
        }
    }
}
