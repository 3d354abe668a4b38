import AirlockAPI
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// KubeClient's resource API against a real kube-apiserver, on Airlock's ActionRequest.
@Suite struct ActionRequestAPITests {
    @Test func createGetUpdateDeleteAndStatusSubresource() async throws {
        let fixture = try await ClusterFixture.make("crud")
        let admin = fixture.admin
        let created = try await admin.create(fixture.actionRequest("crud"))
        #expect(created.metadata.uid != nil)
        #expect(created.spec.duration == KubeDuration(seconds: 900))
        #expect(created.spec.credential == .ephemeral, "the schema's default is applied")

        // A write to the main resource ignores .status ...
        var edited = try await admin.get(ActionRequest.self, name: "crud", namespace: fixture.namespace)
        edited.spec.ticket = "INC-1"
        edited.status = ActionRequestStatus(phase: .granted)
        let updated = try await admin.update(edited)
        #expect(updated.spec.ticket == "INC-1")
        #expect(updated.status?.phase == nil)
        #expect(updated.metadata.generation == 2)

        // ... and PUT .../status ignores everything but .status.
        var withStatus = updated
        withStatus.status = ActionRequestStatus(phase: .pending, observedGeneration: 2)
        withStatus.spec.ticket = "ignored"
        let statusUpdated = try await admin.updateStatus(withStatus)
        #expect(statusUpdated.status?.phase == .pending)
        #expect(statusUpdated.status?.observedGeneration == 2)
        #expect(statusUpdated.spec.ticket == "INC-1")
        #expect(statusUpdated.metadata.generation == 2, "a status write does not bump the generation")

        let listed = try await admin.list(ActionRequest.self, namespace: fixture.namespace)
        #expect(listed.items.map(\.metadata.name) == ["crud"])

        try await admin.delete(ActionRequest.self, name: "crud", namespace: fixture.namespace)
        let error = await #expect(throws: KubernetesError.self) {
            try await admin.get(ActionRequest.self, name: "crud", namespace: fixture.namespace)
        }
        #expect(error?.isNotFound == true)
        let again = await #expect(throws: KubernetesError.self) {
            try await admin.delete(ActionRequest.self, name: "crud", namespace: fixture.namespace)
        }
        #expect(again?.isNotFound == true)
    }

    @Test func createTwiceIsAlreadyExists() async throws {
        let fixture = try await ClusterFixture.make("exists")
        _ = try await fixture.admin.create(fixture.actionRequest("twice"))
        let error = await #expect(throws: KubernetesError.self) {
            try await fixture.admin.create(fixture.actionRequest("twice"))
        }
        #expect(error?.isAlreadyExists == true)
        #expect(error?.isConflict == false, "AlreadyExists is a 409 too, but not a stale write")
    }

    @Test func staleUpdateIsConflict() async throws {
        let fixture = try await ClusterFixture.make("conflict")
        let original = try await fixture.admin.create(fixture.actionRequest("stale"))
        var first = original
        first.spec.ticket = "first"
        _ = try await fixture.admin.update(first)

        var stale = original
        stale.spec.ticket = "second"
        let error = await #expect(throws: KubernetesError.self) { try await fixture.admin.update(stale) }
        #expect(error?.isConflict == true)
        #expect(error?.code == 409)

        var staleStatus = original
        staleStatus.status = ActionRequestStatus(phase: .denied)
        let statusError = await #expect(throws: KubernetesError.self) {
            try await fixture.admin.updateStatus(staleStatus)
        }
        #expect(statusError?.isConflict == true)
    }

    @Test func mergePatch() async throws {
        let fixture = try await ClusterFixture.make("merge")
        _ = try await fixture.admin.create(fixture.actionRequest("merge"))
        let patched = try await fixture.admin.patch(
            ActionRequest.self, name: "merge", namespace: fixture.namespace,
            patch: .merge(["metadata": ["labels": ["team": "db"]], "spec": ["ticket": "INC-7"]]))
        #expect(patched.metadata.labels?["team"] == "db")
        #expect(patched.spec.ticket == "INC-7")
        #expect(patched.spec.reason == fixture.actionRequest("merge").spec.reason, "untouched fields stay")

        let statusPatched = try await fixture.admin.patch(
            ActionRequest.self, name: "merge", namespace: fixture.namespace,
            patch: .merge(["status": ["phase": "Pending"]]), subresource: "status")
        #expect(statusPatched.status?.phase == .pending)
    }

    @Test func serverSideApplyOwnsFieldsAndConflictsUnlessForced() async throws {
        let fixture = try await ClusterFixture.make("apply")
        let admin = fixture.admin
        func configuration(ticket: String) -> JSONValue {
            [
                "apiVersion": .string(ActionRequest.apiVersion), "kind": .string(ActionRequest.kind),
                "metadata": ["name": "applied", "namespace": .string(fixture.namespace)],
                "spec": ["reason": "apply test", "duration": "10m", "ticket": .string(ticket)],
            ]
        }
        let created = try await admin.patch(
            ActionRequest.self, name: "applied", namespace: fixture.namespace,
            patch: .apply(configuration(ticket: "A"), fieldManager: "manager-a", force: false))
        #expect(created.spec.ticket == "A")
        #expect(created.spec.duration == KubeDuration(seconds: 600))

        // Re-applying the same configuration is a no-op for its owner.
        let reapplied = try await admin.patch(
            ActionRequest.self, name: "applied", namespace: fixture.namespace,
            patch: .apply(configuration(ticket: "A"), fieldManager: "manager-a", force: false))
        #expect(reapplied.metadata.resourceVersion == created.metadata.resourceVersion)

        let error = await #expect(throws: KubernetesError.self) {
            try await admin.patch(
                ActionRequest.self, name: "applied", namespace: fixture.namespace,
                patch: .apply(configuration(ticket: "B"), fieldManager: "manager-b", force: false))
        }
        #expect(error?.isConflict == true)
        #expect(error?.message.contains("manager-a") == true)

        let forced = try await admin.patch(
            ActionRequest.self, name: "applied", namespace: fixture.namespace,
            patch: .apply(configuration(ticket: "B"), fieldManager: "manager-b", force: true))
        #expect(forced.spec.ticket == "B")
    }

    @Test func listPaginatesWithContinueTokens() async throws {
        let fixture = try await ClusterFixture.make("pages")
        for name in ["page-a", "page-b", "page-c"] { _ = try await fixture.admin.create(fixture.actionRequest(name)) }

        var names: [String] = []
        var pages = 0
        var options = ListOptions(limit: 1)
        while true {
            let page = try await fixture.admin.list(ActionRequest.self, namespace: fixture.namespace, options: options)
            pages += 1
            #expect(page.items.count <= 1)
            names += page.items.compactMap(\.metadata.name)
            guard let token = page.metadata.continue, !token.isEmpty else { break }
            options.continue = token
            try #require(pages < 10, "pagination does not end")
        }
        #expect(names == ["page-a", "page-b", "page-c"])
        #expect(pages == 3)

        let all = try await fixture.admin.listAll(
            ActionRequest.self, namespace: fixture.namespace, options: ListOptions(limit: 1))
        #expect(all.items.compactMap(\.metadata.name) == ["page-a", "page-b", "page-c"])
        #expect(all.metadata.continue == nil)
        #expect(all.metadata.resourceVersion != nil)
    }
}
