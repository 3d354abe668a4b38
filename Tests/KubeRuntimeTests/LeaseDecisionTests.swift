import Foundation
import KubeCore
import KubeRuntime
import Testing

@Suite struct LeaseDecisionTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    func lease(holder: String?, renewedAgo seconds: Double, duration: Int = 15, transitions: Int = 2) -> Lease {
        Lease(
            metadata: ObjectMeta(name: "l"),
            spec: .init(
                holderIdentity: holder, leaseDurationSeconds: duration, acquireTime: now.addingTimeInterval(-100),
                renewTime: now.addingTimeInterval(-seconds), leaseTransitions: transitions))
    }

    @Test func createsMissingLease() {
        guard
            case .create(let spec) = LeaseDecision.decide(
                lease: nil, identity: "a", now: now, leaseDuration: .seconds(15))
        else { Issue.record("expected create"); return }
        #expect(spec.holderIdentity == "a")
        #expect(spec.leaseDurationSeconds == 15)
        #expect(spec.renewTime == now)
        #expect(spec.leaseTransitions == 0)
    }

    @Test func holderRenewsKeepingAcquireTime() {
        let decision = LeaseDecision.decide(
            lease: lease(holder: "a", renewedAgo: 5), identity: "a", now: now, leaseDuration: .seconds(15))
        guard case .update(let spec) = decision else { Issue.record("expected update"); return }
        #expect(spec.renewTime == now)
        #expect(spec.acquireTime == now.addingTimeInterval(-100))
        #expect(spec.leaseTransitions == 2)
    }

    @Test func waitsWhileAnotherHolderIsValid() {
        #expect(
            LeaseDecision.decide(
                lease: lease(holder: "b", renewedAgo: 14.9), identity: "a", now: now, leaseDuration: .seconds(15))
                == .wait(holder: "b"))
    }

    @Test func takesOverAnExpiredLeaseCountingTheTransition() {
        let decision = LeaseDecision.decide(
            lease: lease(holder: "b", renewedAgo: 15), identity: "a", now: now, leaseDuration: .seconds(15))
        guard case .update(let spec) = decision else { Issue.record("expected take over"); return }
        #expect(spec.holderIdentity == "a")
        #expect(spec.acquireTime == now)
        #expect(spec.leaseTransitions == 3)
    }

    @Test func takesAReleasedLeaseAtOnce() {
        let decision = LeaseDecision.decide(
            lease: lease(holder: nil, renewedAgo: 0), identity: "a", now: now, leaseDuration: .seconds(15))
        guard case .update(let spec) = decision else { Issue.record("expected acquire"); return }
        #expect(spec.holderIdentity == "a")
        #expect(spec.leaseTransitions == 2)
    }

    @Test func honoursTheHoldersOwnDuration() {
        // The holder wrote a 60 s lease: 30 s after its renewal it is still valid.
        #expect(
            LeaseDecision.decide(
                lease: lease(holder: "b", renewedAgo: 30, duration: 60), identity: "a", now: now,
                leaseDuration: .seconds(15))
                == .wait(holder: "b"))
    }

    @Test func takesOverAtOnceFromAnEarlierIncarnationOfItsPod() {
        // The container was killed and restarted: the holder `airlock-0_1a2b` is dead.
        let decision = LeaseDecision.decide(
            lease: lease(holder: "airlock-0_1a2b", renewedAgo: 1), identity: "airlock-0_9f8e", now: now,
            leaseDuration: .seconds(15), predecessorPrefix: "airlock-0_")
        guard case .update(let spec) = decision else { Issue.record("expected take over"); return }
        #expect(spec.holderIdentity == "airlock-0_9f8e")
        #expect(spec.leaseTransitions == 3)
    }

    @Test func anotherPodsValidLeaseIsWaitedForWhateverThePrefix() {
        // `airlock-01_` starts like `airlock-0` but is another pod; an empty prefix is none.
        for prefix in ["airlock-0_", ""] {
            #expect(
                LeaseDecision.decide(
                    lease: lease(holder: "airlock-01_1a2b", renewedAgo: 1), identity: "airlock-0_9f8e", now: now,
                    leaseDuration: .seconds(15), predecessorPrefix: prefix)
                    == .wait(holder: "airlock-01_1a2b"))
        }
    }
}
