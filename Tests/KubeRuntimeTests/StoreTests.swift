import KubeCore
import KubeRuntime
import Testing

@Suite struct StoreTests {
    @Test func watchEventsUpsertAndDelete() {
        let writer = StoreWriter<ConfigMap>()
        let store = writer.store
        let a1 = configMap("a", resourceVersion: "1")
        let a2 = configMap("a", resourceVersion: "2")
        #expect(writer.apply(.added(a1)) == [.added(a1)])
        #expect(store.get(a1.key) == a1)
        #expect(writer.apply(.modified(a2)) == [.updated(old: a1, new: a2)])
        #expect(store.get(name: "a", namespace: "default") == a2)
        let b = configMap("b")
        #expect(writer.apply(.modified(b)) == [.added(b)])  // a modification of an unknown object adds it
        #expect(writer.apply(.added(b)) == [.updated(old: b, new: b)])  // an add of a known one updates it
        let a3 = configMap("a", resourceVersion: "3")
        #expect(writer.apply(.deleted(a3)) == [.deleted(a3)])
        #expect(store.get(a1.key) == nil)
        #expect(writer.apply(.deleted(a3)) == [])  // unknown: nothing to report
        #expect(writer.apply(.bookmark(resourceVersion: "9")) == [])
        #expect(store.count == 1)
    }

    @Test func watchEventsDoNotMarkTheStoreSynced() {
        let writer = StoreWriter<ConfigMap>()
        writer.apply(.added(configMap("a")))
        #expect(!writer.store.hasSynced)
        writer.apply(.replace([]))
        #expect(writer.store.hasSynced)
    }

    @Test func replaceComputesDeletionsAdditionsAndUpdates() {
        let writer = StoreWriter<ConfigMap>()
        let a = configMap("a", resourceVersion: "1")
        let b = configMap("b", resourceVersion: "1")
        let c = configMap("c", resourceVersion: "1")
        let z = configMap("z", namespace: "other", resourceVersion: "1")
        writer.replace(with: [a, b, c, z])

        let b2 = configMap("b", resourceVersion: "5")
        let d = configMap("d", resourceVersion: "6")
        let changes = writer.apply(.replace([d, b2, c]))
        // Deletions first, by key; then additions and updates in list order; c did not move.
        #expect(changes == [.deleted(a), .deleted(z), .added(d), .updated(old: b, new: b2)])
        #expect(writer.store.list().map(\.key) == [b2.key, c.key, d.key])
    }

    @Test func replaceOfAnEmptyListDeletesEverything() {
        let writer = StoreWriter<ConfigMap>()
        let a = configMap("a")
        let b = configMap("b")
        writer.replace(with: [b, a])
        #expect(writer.replace(with: []) == [.deleted(a), .deleted(b)])
        #expect(writer.store.count == 0)
        #expect(writer.store.hasSynced)
    }

    @Test func replaceSeesAnObjectRecreatedWhileAwayAsDeleteAndAdd() {
        let writer = StoreWriter<ConfigMap>()
        let old = configMap("a", resourceVersion: "1", uid: "u1")
        writer.replace(with: [old])
        let new = configMap("a", resourceVersion: "8", uid: "u2")
        #expect(writer.replace(with: [new]) == [.deleted(old), .added(new)])
        #expect(writer.store.get(new.key)?.metadata.uid == "u2")
    }

    @Test func replaceWithDuplicateKeysKeepsTheLast() {
        let writer = StoreWriter<ConfigMap>()
        let first = configMap("a", resourceVersion: "1")
        let second = configMap("a", resourceVersion: "2")
        #expect(writer.replace(with: [first, second]) == [.added(second)])
        #expect(writer.store.get(first.key) == second)
    }

    @Test func listFiltersByNamespaceAndLabelsSortedByKey() throws {
        let writer = StoreWriter<ConfigMap>()
        let web = configMap("web", labels: ["tier": "web", "env": "prod"])
        let db = configMap("db", labels: ["tier": "db", "env": "prod"])
        let dev = configMap("dev", namespace: "dev", labels: ["tier": "web", "env": "dev"])
        let bare = configMap("bare")
        writer.replace(with: [web, db, dev, bare])
        let store = writer.store
        #expect(store.list().map(\.metadata.name) == ["bare", "db", "web", "dev"])
        #expect(store.list(namespace: "dev") == [dev])
        #expect(
            try store.list(labelSelector: LabelSelector(parsing: "tier=web")).map(\.metadata.name) == ["web", "dev"])
        #expect(try store.list(labelSelector: LabelSelector(parsing: "env in (prod),tier!=web")) == [db])
        #expect(try store.list(labelSelector: LabelSelector(parsing: "!tier")) == [bare])
        #expect(try store.list(namespace: "default", labelSelector: LabelSelector(parsing: "tier")) == [db, web])
    }

    @Test func clusterScopedKeysHaveNoNamespace() {
        let writer = StoreWriter<Namespace>()
        writer.replace(with: [Namespace(name: "prod")])
        #expect(writer.store.get(name: "prod", namespace: nil)?.metadata.name == "prod")
        #expect(writer.store.get(ObjectKey(namespace: nil, name: "prod")) != nil)
    }

    @Test func snapshotsDoNotSeeLaterWrites() {
        let writer = StoreWriter<ConfigMap>()
        let a = configMap("a")
        writer.replace(with: [a])
        let snapshot = writer.store.snapshot()
        writer.apply(.deleted(a))
        writer.apply(.added(configMap("b")))
        #expect(snapshot.hasSynced)
        #expect(snapshot.count == 1)
        #expect(snapshot.get(a.key) == a)
        #expect(snapshot.get(name: "b", namespace: "default") == nil)
        #expect(snapshot.list() == [a])
        #expect(writer.store.snapshot().list().map(\.metadata.name) == ["b"])
    }

    @Test func handlersSeeEveryChangeInOrderUntilRemoved() {
        let writer = StoreWriter<ConfigMap>()
        let seen = Locked<[StoreChange<ConfigMap>]>([])
        let id = writer.store.addHandler { change in seen.withLock { $0.append(change) } }
        let a = configMap("a")
        let b = configMap("b")
        writer.replace(with: [a])
        writer.apply(.event(.added(b)))
        writer.apply(.replace([b]))
        #expect(seen.withLock { $0 } == [.added(a), .added(b), .deleted(a)])
        writer.store.removeHandler(id)
        writer.apply(.deleted(b))
        #expect(seen.withLock { $0.count } == 3)
    }

    @Test func changesExposeKeyAndNewestObject() {
        let old = configMap("a", resourceVersion: "1")
        let new = configMap("a", resourceVersion: "2")
        let change = StoreChange.updated(old: old, new: new)
        #expect(change.key == ObjectKey(namespace: "default", name: "a"))
        #expect(change.object == new)
        #expect(StoreChange.deleted(old).object == old)
    }

    @Test func waitUntilSyncedReturnsOnceAListIsApplied() async throws {
        let writer = StoreWriter<ConfigMap>()
        let waiter = Task { try await writer.store.waitUntilSynced() }
        writer.apply(.added(configMap("a")))  // an event alone does not sync
        writer.replace(with: [configMap("a")])
        try await waiter.value
        try await writer.store.waitUntilSynced()  // already synced: returns at once
    }

    @Test func waitUntilSyncedThrowsWhenCancelled() async {
        let writer = StoreWriter<ConfigMap>()
        let waiter = Task { try await writer.store.waitUntilSynced() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(!writer.store.hasSynced)
    }
}
