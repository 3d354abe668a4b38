import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTesting
import Logging
import Testing

@Suite struct RuntimeExtrasTests {
    @Test func repeatedEventsAreAggregatedIntoASeries() async throws {
        let plane = try await TestControlPlane.shared()
        let admin = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "events")
        let map = try await admin.create(ConfigMap(metadata: ObjectMeta(name: "c", namespace: namespace)))
        let recorder = EventRecorder(
            client: admin, controller: "airlock.dev/test", instance: "i-1", logger: Logger(label: "test"))
        let sending = Task { await recorder.run() }
        for _ in 0..<3 {
            recorder.record(map, type: .normal, reason: "Stamped", action: "Stamp", note: "stamped once more")
        }
        recorder.record(
            map, type: .warning, reason: "Broken", action: "Check", note: String(repeating: "x", count: 5000))
        recorder.finish()
        await sending.value

        let events = try await admin.list(Event.self, namespace: namespace).items
        #expect(events.count == 2)
        let stamped = try #require(events.first { $0.reason == "Stamped" })
        #expect(stamped.series?.count == 3)
        #expect(stamped.regarding.name == "c")
        #expect(stamped.regarding.uid == map.metadata.uid)
        #expect(stamped.reportingController == "airlock.dev/test")
        let broken = try #require(events.first { $0.reason == "Broken" })
        #expect(broken.type == "Warning")
        #expect((broken.note?.utf8.count ?? 0) <= 1024)
    }

    /// A catch-up (after a start) is looked up among the recorder's labelled Events before it
    /// is created: one sent by an earlier recorder is not created again (no call answered 409),
    /// one that is missing is.
    @Test func aCatchUpSkipsTheEventsAnEarlierRecorderSent() async throws {
        let plane = try await TestControlPlane.shared()
        let admin = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "catch-up")
        let map = try await admin.create(ConfigMap(metadata: ObjectMeta(name: "c", namespace: namespace)))
        let labels = ["app.kubernetes.io/managed-by": "airlock"]
        let earlier = EventRecorder(
            client: admin, controller: "airlock.dev/test", instance: "i-1", labels: labels,
            logger: Logger(label: "test"))
        let sending = Task { await earlier.run() }
        earlier.record(map, type: .normal, reason: "Sent", action: "Send", note: "sent before", key: "sent")
        earlier.finish()
        await sending.value
        #expect(try await admin.list(Event.self, namespace: namespace).items.first?.metadata.labels == labels)

        let faults = FaultPlan()
        var configuration = try plane.clientConfiguration(as: plane.configuration.adminUser)
        configuration.interceptor = { request in try faults.intercept(request) }
        let client = try KubernetesClient(configuration: configuration)
        let since = ContinuousClock.now
        let later = EventRecorder(
            client: client, controller: "airlock.dev/test", instance: "i-2", labels: labels,
            logger: Logger(label: "test"))
        let catchingUp = Task { await later.run() }
        later.record(
            map, type: .normal, reason: "Sent", action: "Send", note: "sent before", key: "sent", catchUp: true)
        later.record(map, type: .normal, reason: "Lost", action: "Send", note: "never sent", key: "lost", catchUp: true)
        later.finish()
        await catchingUp.value
        try await client.shutdown()

        let calls = faults.calls(since: since, pathContainsAny: ["/events"])
        #expect(calls.filter { $0.hasPrefix("POST") }.count == 1, "\(calls)")
        #expect(calls.filter { $0.hasPrefix("GET") }.count == 1, "one listing for both: \(calls)")
        let reasons = try await admin.list(Event.self, namespace: namespace).items.compactMap(\.reason).sorted()
        #expect(reasons == ["Lost", "Sent"])
    }

    /// Events are sent at their pace (a token bucket: 2 at once, then 1 a second), never
    /// faster, and none is lost while they wait.
    @Test func eventsAreSentAtTheirPace() async throws {
        let plane = try await TestControlPlane.shared()
        let admin = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "paced-events")
        let map = try await admin.create(ConfigMap(metadata: ObjectMeta(name: "c", namespace: namespace)))
        let clock = ManualClock()
        let limiter = RateLimiter(qps: 1, burst: 2, clock: clock)
        let recorder = EventRecorder(
            client: admin, controller: "airlock.dev/test", instance: "i-1", pace: { try await limiter.acquire() },
            logger: Logger(label: "test"))
        let sending = Task { await recorder.run() }
        for index in 0..<5 {
            recorder.record(map, type: .normal, reason: "Paced", action: "Pace", note: "event \(index)")
        }
        recorder.finish()
        func sent() async throws -> Int { try await admin.list(Event.self, namespace: namespace).items.count }
        for expected in 2...5 {
            // The next one waits for its token: nothing more is sent until the clock moves.
            try await eventually("\(expected) sent, the next waiting") {
                let count = try await sent()
                return clock.sleeperCount == (expected < 5 ? 1 : 0) && count == expected
            }
            #expect(try await sent() == expected)
            clock.advance(by: .seconds(1))
        }
        await sending.value
        #expect(try await sent() == 5)
    }

    @Test func changesToOwnedObjectsReconcileTheirOwner() async throws {
        let plane = try await TestControlPlane.shared()
        let admin = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "owns")
        let (controller, reconciler) = makeStampController(client: admin, namespace: namespace, name: "stamper-owns")
        controller.owns(Informer(client: admin, Secret.self, namespace: namespace, logger: Logger(label: "test")))
        let manager = ControllerManager(controllers: [controller], elector: nil, logger: Logger(label: "test"))
        let running = Task { await manager.run() }
        defer { running.cancel() }
        let owner = try await admin.create(sampleMap(namespace, "owner", "1"))
        try await eventually("owner stamped") { try await stamp(admin, namespace, "owner") == "1" }
        let key = ObjectKey(namespace: namespace, name: "owner")
        let before = reconciler.reconciled.withLock { $0.filter { $0 == key }.count }

        // A Secret owned by the ConfigMap changes: the owner is reconciled again.
        _ = try await admin.create(
            Secret(metadata: ObjectMeta(name: "owned", namespace: namespace, ownerReferences: [owner.ownerReference()]))
        )
        try await eventually("owner reconciled for its Secret") {
            reconciler.reconciled.withLock { $0.filter { $0 == key }.count } > before
        }
    }

    /// Watches of ServiceAccounts the API server is serving now (its `apiserver_longrunning_gauge`).
    /// No other test watches ServiceAccounts.
    static func openServiceAccountWatches(_ admin: KubernetesClient) async throws -> Int {
        let text = String(
            decoding: try await admin.raw(KubeRequest(method: .get, path: "/metrics")).body, as: UTF8.self)
        return text.split(separator: "\n")
            .filter {
                $0.hasPrefix("apiserver_longrunning_gauge{") && $0.contains(#"resource="serviceaccounts""#)
                    && $0.contains(#"verb="WATCH""#)
            }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0) { $0 + Int($1) }
    }

    @Test func cancelledWatchesDoNotLeakConnections() async throws {
        let plane = try await TestControlPlane.shared()
        let admin = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "leak")
        let client = try KubernetesClient(
            configuration: try plane.clientConfiguration(as: plane.configuration.adminUser))
        let baseline = try await Self.openServiceAccountWatches(admin)
        // Ten consumers hold their watches open: the server counts them.
        var consumers: [Task<Void, any Error>] = []
        for _ in 0..<10 {
            let stream = try await client.watch(ServiceAccount.self, namespace: namespace)
            consumers.append(Task { for try await _ in stream {} })
        }
        try await eventually("ten watches open on the server") {
            try await Self.openServiceAccountWatches(admin) == baseline + 10
        }
        // Cancelling the consumers ends the requests: the server sees them go.
        for consumer in consumers { consumer.cancel() }
        for consumer in consumers { _ = await consumer.result }
        // And a stream whose iterator is simply dropped.
        _ = try await client.watch(ServiceAccount.self, namespace: namespace)
        try await eventually("watches closed on the server", timeout: .seconds(15)) {
            try await Self.openServiceAccountWatches(admin) == baseline
        }
        try await client.shutdown()
    }
}

/// Writes whose caller reads only the stored metadata ask the API server for just that: it
/// answers a `PartialObjectMetadata` instead of the whole object (less to send and decode).
@Suite struct MetadataOnlyAnswerTests {
    @Test func createUpdateListAndDeleteAnswerOnlyMetadata() async throws {
        let plane = try await TestControlPlane.shared()
        let admin = plane.adminClient
        let namespace = try await plane.makeNamespace(prefix: "partial")
        let builder = RequestBuilder<ConfigMap>()
        var map = ConfigMap(metadata: ObjectMeta(name: "m", namespace: namespace), data: ["big": "x"])
        let created = try await admin.raw(try builder.create(map, namespace: namespace).metadataOnly())
        #expect(created.status == 201)
        try Self.expectKind("PartialObjectMetadata", in: created.body)
        let listed = try await admin.raw(
            builder.list(namespace: namespace, options: ListOptions()).metadataOnly(list: true))
        try Self.expectKind("PartialObjectMetadataList", in: listed.body)
        map = try await admin.get(ConfigMap.self, name: "m", namespace: namespace)
        map.data = ["big": "y"]
        let updated = try await admin.raw(try builder.update(map).metadataOnly())
        #expect(updated.status == 200)
        try Self.expectKind("PartialObjectMetadata", in: updated.body)

        // The client's metadata calls read those answers.
        let second = try await admin.createMetadata(
            ConfigMap(metadata: ObjectMeta(name: "n", namespace: namespace), data: ["k": "v"]))
        #expect(second.name == "n" && second.uid != nil && second.resourceVersion != nil)
        let page = try await admin.listMetadata(ConfigMap.self, namespace: namespace)
        #expect(Set(page.items.compactMap(\.name)).isSuperset(of: ["m", "n"]))
        try await admin.delete(ConfigMap.self, name: "n", namespace: namespace)
        let gone = try await admin.raw(builder.get(name: "n", namespace: namespace))
        #expect(gone.status == 404)
    }

    private static func expectKind(_ kind: String, in body: Data) throws {
        let object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(object["kind"] as? String == kind)
        let items = object["items"] as? [[String: Any]] ?? [object]
        #expect(!items.isEmpty && items.allSatisfy { $0["metadata"] != nil && $0["data"] == nil })
    }
}
