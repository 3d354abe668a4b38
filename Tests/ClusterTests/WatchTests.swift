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
        let admin = fixture.admin
        let start = try await admin.list(ActionRequest.self, namespace: fixture.namespace)
        // The server ends the watch after timeoutSeconds: the loop below cannot hang.
        let stream = try await admin.watch(
            ActionRequest.self, namespace: fixture.namespace,
            options: ListOptions(resourceVersion: start.metadata.resourceVersion, timeoutSeconds: 30))

        _ = try await admin.create(fixture.actionRequest("watched"))
        _ = try await admin.patch(
            ActionRequest.self, name: "watched", namespace: fixture.namespace,
            patch: .merge(["spec": ["ticket": "INC-9"]]))
        try await admin.delete(ActionRequest.self, name: "watched", namespace: fixture.namespace)

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
        #expect(seen == ["ADDED -", "MODIFIED INC-9", "DELETED INC-9"])
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
