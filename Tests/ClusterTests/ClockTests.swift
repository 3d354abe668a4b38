import AirlockAPI
import AirlockController
import AirlockPolicy
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTesting
import Logging
import Testing

/// Timed logic on an injected clock, against the real API server: an hour of access, a
/// pending deadline, a lost lease and the sweeper's expiry check, each without waiting for
/// them in real time.
@Suite struct ClockTests {
    @Test func expiryAndThePendingDeadlineComeWhenTheClockSays() async throws {
        let clock = ManualClock(epoch: Date())
        let fixture = try await LifecycleFixture.start("clock", clock: AnyWallClock(clock))
        defer { fixture.running.cancel() }
        try await fixture.policy(
            "auto",
            ApprovalPolicySpec(
                match: PolicyMatch(verbs: ["get"]), decision: .autoApprove, maxDuration: KubeDuration(seconds: 7200)))
        try await fixture.policy(
            "review",
            ApprovalPolicySpec(
                match: PolicyMatch(verbs: ["delete"]), decision: .requireApproval,
                pendingTimeout: KubeDuration(seconds: 1800)))
        try await fixture.request("hour", by: "alice", duration: "1h")
        let granted = try await fixture.waitFor("hour", .granted)
        let expiresAt = try #require(granted.status?.expiresAt)
        #expect(abs(expiresAt.timeIntervalSince(clock.date) - 3600) < 5)
        try await fixture.request(
            "unreviewed", by: "alice",
            permissions: [
                PermissionRule(namespace: fixture.target, apiGroups: [""], resources: ["pods"], verbs: ["delete"])
            ])
        try await fixture.waitFor("unreviewed", .pending)

        // 59 minutes on: still granted, the unreviewed request has expired (30 min deadline).
        clock.advance(by: .seconds(59 * 60))
        let expired = try await fixture.waitFor("unreviewed", .expired)
        #expect(expired.status?.conditions?[type: "Expired"]?.reason == "NotReviewed")
        #expect(try await fixture.get("hour").status?.phase == .granted)
        // Past the hour: the grant's binding goes at once, the rest a second later on the clock.
        clock.advance(by: .seconds(61))
        try await eventually("the binding removed", timeout: .seconds(20)) {
            try await !fixture.grantObjects(of: granted).contains { $0.hasPrefix("RoleBinding/") }
        }
        #expect(try await fixture.get("hour").status?.phase == .granted)
        clock.advance(by: .seconds(ActionRequestLifecycle.expiryFollowUp + 1))
        let ended = try await fixture.waitFor("hour", .expired)
        #expect(ended.status?.conditions?[type: "Expired"]?.reason == "DurationElapsed")
        #expect(try await fixture.grantObjects(of: ended).isEmpty)
        await fixture.stop()
    }

    /// The wall clock is stepped 30 s forward half-way through an hour of access (NTP, or a
    /// VM's host, correcting it): the binding goes when the wall clock says the hour is up, not
    /// when an hour has passed on the time line the controller waits on.
    @Test func accessEndsByTheWallClockWhenItIsSteppedForward() async throws {
        let clock = ManualClock(epoch: Date())
        let fixture = try await LifecycleFixture.start("clock-step", clock: AnyWallClock(clock))
        defer { fixture.running.cancel() }
        try await fixture.policy(
            "auto",
            ApprovalPolicySpec(
                match: PolicyMatch(verbs: ["get"]), decision: .autoApprove, maxDuration: KubeDuration(seconds: 7200)))
        try await fixture.request("hour", by: "alice", duration: "1h")
        let granted = try await fixture.waitFor("hour", .granted)
        let expiresAt = try #require(granted.status?.expiresAt)
        clock.advance(by: .seconds(30 * 60))
        clock.stepWallClock(by: .seconds(30))
        clock.advance(by: .seconds(29 * 60 + 31))
        #expect(clock.date > expiresAt)
        try await eventually("the binding removed", timeout: .seconds(20)) {
            try await !fixture.grantObjects(of: granted).contains { $0.hasPrefix("RoleBinding/") }
        }
        await fixture.stop()
    }

    @Test func aLeaderThatCannotRenewStepsDownAndTheStandbyWaitsOutTheLease() async throws {
        let plane = try await TestControlPlane.shared()
        let admin = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "clock-lease")
        let clock = ManualClock(epoch: Date())
        let faults = FaultPlan()
        var faulty = try plane.clientConfiguration(as: plane.configuration.adminUser)
        faulty.interceptor = { try faults.intercept($0) }
        let clientA = try KubernetesClient(configuration: faulty)
        let configuration = { (identity: String) in
            LeaderElectionConfiguration(leaseName: "clocked", namespace: namespace, identity: identity)
        }
        let electorA = LeaderElector(
            client: clientA, configuration: configuration("a"), clock: AnyWallClock(clock),
            logger: Logger(label: "test.a"))
        let electorB = LeaderElector(
            client: admin, configuration: configuration("b"), clock: AnyWallClock(clock),
            logger: Logger(label: "test.b"))
        let runningA = Task { await electorA.run { try? await Task.sleep(for: .seconds(3600)) } }
        try await eventually("a leads", timeout: .seconds(30)) { await electorA.isLeader }
        let runningB = Task { await electorB.run { try? await Task.sleep(for: .seconds(3600)) } }
        defer {
            runningA.cancel()
            runningB.cancel()
        }
        // A's renewals start failing (a partition between it and the API server).
        faults.fail(.put, pathContains: "/leases/clocked", times: 10_000, code: 503, reason: "ServiceUnavailable")
        let start = clock.now
        var lostAt: Duration?
        var takenAt: Duration?
        try await eventually("b takes over", timeout: .seconds(60), interval: .milliseconds(5)) {
            // Time moves only while both candidates wait on the clock: each step is seen by both.
            guard clock.sleeperCount >= 2 else { return false }
            clock.advance(by: .milliseconds(250))
            let elapsed = start.duration(to: clock.now)
            if lostAt == nil, await !electorA.isLeader { lostAt = elapsed }
            if takenAt == nil, await electorB.isLeader { takenAt = elapsed }
            return takenAt != nil
        }
        let lost = try #require(lostAt)
        let taken = try #require(takenAt)
        // A gives up after its renew deadline (10 s), B only once the lease (15 s) has run out.
        #expect(lost >= .seconds(10) && lost <= .seconds(13), "a stepped down after \(lost) on the clock")
        #expect(taken >= .seconds(15) && taken <= .seconds(18), "b took over after \(taken) on the clock")
        let lease = try await admin.get(Lease.self, name: "clocked", namespace: namespace)
        #expect(lease.spec?.holderIdentity == "b")
        runningA.cancel()
        runningB.cancel()
        await runningA.value
        await runningB.value
        try await clientA.shutdown()
    }

    @Test func theSweeperJudgesExpiryByItsClock() async throws {
        let plane = try await TestControlPlane.shared()
        let admin = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "clock-sweep")
        let clock = ManualClock(epoch: Date())
        let logger = Logger(label: "test.sweeper")
        // A Granted request and one object of its grant, which expires in 10 minutes.
        let request = try await admin.create(
            ActionRequest(
                metadata: ObjectMeta(name: "swept", namespace: namespace),
                spec: ActionRequestSpec(
                    reason: "sweep", duration: KubeDuration(seconds: 600),
                    permissions: [
                        PermissionRule(namespace: namespace, apiGroups: [""], resources: ["pods"], verbs: ["get"])
                    ])))
        var granted = request
        granted.status = ActionRequestStatus(phase: .granted)
        _ = try await admin.updateStatus(granted)
        let uid = try #require(request.metadata.uid)
        var labels = GrantPlanner.labels(namespace: namespace, name: "swept", uid: uid)
        labels["extra"] = "yes"
        _ = try await admin.create(
            Role(
                metadata: ObjectMeta(
                    name: "swept-role", namespace: namespace, labels: labels,
                    annotations: [
                        AirlockConstants.Annotation.expiresAt: RFC3339.format(clock.date.addingTimeInterval(600))
                    ]),
                rules: [PolicyRule(apiGroups: [""], resources: ["pods"], verbs: ["get"])]))
        let requests = Informer(client: admin, ActionRequest.self, namespace: namespace, logger: logger)
        let informing = Task { await requests.run() }
        defer { informing.cancel() }
        try await eventually("the request cached as Granted") {
            requests.store.get(name: "swept", namespace: namespace)?.status?.phase == .granted
        }
        // Two more objects of its grant, and pages of two: the pass reads every page.
        for name in ["swept-role-2", "swept-role-3"] {
            _ = try await admin.create(
                Role(
                    metadata: ObjectMeta(
                        name: name, namespace: namespace, labels: labels,
                        annotations: [
                            AirlockConstants.Annotation.expiresAt: RFC3339.format(clock.date.addingTimeInterval(600))
                        ]),
                    rules: [PolicyRule(apiGroups: [""], resources: ["pods"], verbs: ["get"])]))
        }
        let sweeper = GrantSweeper(
            client: admin, requests: requests.store, requestNamespace: namespace, pageSize: 2,
            clock: AnyWallClock(clock), logger: logger)
        #expect(try await sweeper.sweepOnce() == 0)
        // Just expired: on time, that is the lifecycle's job; the sweeper leaves it for 2 s more.
        clock.advance(by: .seconds(601))
        #expect(try await sweeper.sweepOnce() == 0)
        clock.advance(by: .seconds(2))
        #expect(try await sweeper.sweepOnce() == 3)
        #expect(try await admin.list(Role.self, namespace: namespace).items.isEmpty)
    }

    /// Issue 14 (found by the chaos test): an object made by an earlier, unrecorded attempt at
    /// a grant and adopted by the recorded one keeps that attempt's earlier expiry annotation;
    /// it goes when the recorded grant ends, not before.
    @Test func anAdoptedObjectLastsAsLongAsTheRecordedGrant() async throws {
        let plane = try await TestControlPlane.shared()
        let admin = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "clock-adopted")
        let clock = ManualClock(epoch: Date())
        let logger = Logger(label: "test.sweeper")
        let request = try await admin.create(
            ActionRequest(
                metadata: ObjectMeta(name: "adopted", namespace: namespace),
                spec: ActionRequestSpec(
                    reason: "sweep", duration: KubeDuration(seconds: 600),
                    permissions: [
                        PermissionRule(namespace: namespace, apiGroups: [""], resources: ["pods"], verbs: ["get"])
                    ])))
        let uid = try #require(request.metadata.uid)
        // The earlier attempt's object: its annotation says it ended a minute ago.
        let role = try await admin.create(
            Role(
                metadata: ObjectMeta(
                    name: "adopted-role", namespace: namespace,
                    labels: GrantPlanner.labels(namespace: namespace, name: "adopted", uid: uid),
                    annotations: [
                        AirlockConstants.Annotation.expiresAt: RFC3339.format(clock.date.addingTimeInterval(-60))
                    ]),
                rules: [PolicyRule(apiGroups: [""], resources: ["pods"], verbs: ["get"])]))
        var granted = request
        granted.status = ActionRequestStatus(
            phase: .granted, grantedAt: clock.date, expiresAt: clock.date.addingTimeInterval(600),
            grants: [
                GrantRef(
                    apiVersion: Role.apiVersion, kind: Role.kind, namespace: namespace, name: "adopted-role",
                    uid: role.metadata.uid)
            ])
        _ = try await admin.updateStatus(granted)
        let requests = Informer(client: admin, ActionRequest.self, namespace: namespace, logger: logger)
        let informing = Task { await requests.run() }
        defer { informing.cancel() }
        try await eventually("the request cached as Granted") {
            requests.store.get(name: "adopted", namespace: namespace)?.status?.phase == .granted
        }
        let sweeper = GrantSweeper(
            client: admin, requests: requests.store, requestNamespace: namespace, clock: AnyWallClock(clock),
            logger: logger)
        #expect(try await sweeper.sweepOnce() == 0)
        // Past the grant's expiry, and past the 2 s the lifecycle has to remove it on time.
        clock.advance(by: .seconds(603))
        #expect(try await sweeper.sweepOnce() == 1)
    }
}
