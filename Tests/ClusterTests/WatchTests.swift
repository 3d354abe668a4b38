import AirlockAPI
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Synchronization
import Testing

/// Watches against a real kube-apiserver.
@Suite struct WatchTests {
    @Test func watchSeesAddedModifiedDeletedInOrder() async throws {
        let fixture = try await ClusterFixture.make("watch")
        // A watch cache that was just re-initialized (the API server does that when a CRD
        // changes) answers 410 for the version a list returned a moment before; a client lists
        // again. So does this test, with a fresh object.
        for attempt in 1... {
            do {
                let seen = try await addedModifiedDeleted("watched-\(attempt)", fixture)
                #expect(seen == ["ADDED -", "MODIFIED INC-9", "DELETED INC-9"])
                return
            } catch let error as KubernetesError where error.isGone && attempt < 3 {
                continue
            }
        }
    }

    /// Lists, watches from the list's version, then creates, patches and deletes `name`: the
    /// first three events seen.
    private func addedModifiedDeleted(_ name: String, _ fixture: ClusterFixture) async throws -> [String] {
        let admin = fixture.admin
        let start = try await admin.list(ActionRequest.self, namespace: fixture.namespace)
        // The server ends the watch after timeoutSeconds: the loop below cannot hang.
        let stream = try await admin.watch(
            ActionRequest.self, namespace: fixture.namespace,
            options: ListOptions(resourceVersion: start.metadata.resourceVersion, timeoutSeconds: 30))

        _ = try await admin.create(fixture.actionRequest(name))
        _ = try await admin.patch(
            ActionRequest.self, name: name, namespace: fixture.namespace,
            patch: .merge(["spec": ["ticket": "INC-9"]]))
        try await admin.delete(ActionRequest.self, name: name, namespace: fixture.namespace)

        var seen: [String] = []
        for try await event in stream {
            switch event {
            case .added(let object): seen.append("ADDED \(object.spec.ticket ?? "-")")
            case .modified(let object): seen.append("MODIFIED \(object.spec.ticket ?? "-")")
            case .deleted(let object): seen.append("DELETED \(object.spec.ticket ?? "-")")
            case .bookmark: continue
            }
            if seen.count == 3 { break }
        }
        return seen
    }

    @Test func watchFromAnExpiredResourceVersionIsGone() async throws {
        let fixture = try await ClusterFixture.make("gone")
        // Some history, so resourceVersion 1 lies well behind the watch cache's window.
        _ = try await fixture.admin.create(fixture.actionRequest("old"))
        do {
            let stream = try await fixture.admin.watch(
                ActionRequest.self, namespace: fixture.namespace,
                options: ListOptions(resourceVersion: "1", timeoutSeconds: 30))
            for try await event in stream {
                Issue.record("expected 410 Gone, got \(event)")
                return
            }
            Issue.record("the watch ended without 410 Gone")
        } catch let error as KubernetesError {
            #expect(error.isGone, "\(error)")
        }
    }

    @Test func cancellingTheConsumingTaskEndsTheWatchPromptly() async throws {
        let fixture = try await ClusterFixture.make("cancel")
        let stream = try await fixture.admin.watch(
            ConfigMap.self, namespace: fixture.namespace, options: ListOptions(timeoutSeconds: 60))
        let received = Mutex(0)
        let consumer = Task {
            for try await _ in stream { received.withLock { $0 += 1 } }
        }
        // Once the consumer has seen one event it is waiting in the stream for the next.
        _ = try await fixture.admin.create(ConfigMap(metadata: ObjectMeta(name: "one", namespace: fixture.namespace)))
        try await eventually("the consumer to receive ADDED") { received.withLock { $0 } == 1 }

        let clock = ContinuousClock()
        let cancelledAt = clock.now
        consumer.cancel()
        let result = await consumer.result
        let elapsed = clock.now - cancelledAt
        #expect(elapsed < .seconds(5), "the watch took \(elapsed) to end after cancellation")
        switch result {
        case .success: break
        case .failure(let error): #expect(error is CancellationError, "\(error)")
        }
    }
}

/// A controller's client often has a default namespace (its kubeconfig context, or the pod's
/// own namespace in-cluster); its informers must still see every namespace.
@Suite struct DefaultNamespaceTests {
    @Test func listsAndWatchesWithoutANamespaceCoverEveryNamespaceWhateverTheDefault() async throws {
        let plane = try await TestControlPlane.shared()
        let namespace = try await plane.makeNamespace(prefix: "anyns")
        var configuration = try plane.clientConfiguration(as: plane.configuration.adminUser)
        configuration.namespace = "default"
        let client = try KubernetesClient(configuration: configuration)
        let stream = try await client.watch(ConfigMap.self, options: ListOptions(resourceVersion: "0"))
        _ = try await plane.adminClient.create(
            ConfigMap(metadata: ObjectMeta(name: "elsewhere", namespace: namespace), data: ["k": "v"]))
        let listed = try await client.listAll(ConfigMap.self)
        #expect(listed.items.contains { $0.metadata.namespace == namespace && $0.metadata.name == "elsewhere" })
        let seen = Mutex(false)
        let reader = Task {
            for try await event in stream {
                if case .added(let map) = event, map.metadata.namespace == namespace { seen.withLock { $0 = true } }
            }
        }
        try await eventually("the watch to see the other namespace") { seen.withLock { $0 } }
        reader.cancel()
        // Calls on one object still default to the configured namespace.
        _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "defaulted-\(namespace)"), data: [:]))
        _ = try await plane.adminClient.get(ConfigMap.self, name: "defaulted-\(namespace)", namespace: "default")
        try await client.shutdown()
    }
}
