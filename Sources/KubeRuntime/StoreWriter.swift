import KubeCore

/// The writer side of a `Store`: applies what a watcher emits and reports what changed.
///
/// There should be one writer per store (the watcher's driver); readers get `store`.
public struct StoreWriter<Object: KubeResource>: Sendable {
    /// The store this writer fills; hand it to readers.
    public let store: Store<Object>

    /// A writer with a new, empty store.
    public init() {
        self.store = Store()
    }

    /// Applies a watcher output: a full `.replace` or one watch event.
    @discardableResult
    public func apply(_ event: WatcherEvent<Object>) -> [StoreChange<Object>] {
        switch event {
        case .replace(let objects): return replace(with: objects)
        case .event(let event): return apply(event)
        }
    }

    /// Applies one watch event. Added and modified upsert (an add of a known object is an
    /// update, a modification of an unknown one an add: the store converges either way);
    /// deleted removes; bookmarks change nothing.
    @discardableResult
    public func apply(_ event: WatchEvent<Object>) -> [StoreChange<Object>] {
        store.write { state in
            switch event {
            case .added(let object), .modified(let object):
                let old = state.objects.updateValue(StoreEntry(object), forKey: object.key)
                return [old.map { .updated(old: $0.object, new: object) } ?? .added(object)]
            case .deleted(let object):
                guard state.objects.removeValue(forKey: object.key) != nil else { return [] }
                return [.deleted(object)]
            case .bookmark:
                return []
            }
        }
    }

    /// Replaces the whole content with a complete list and marks the store synced.
    ///
    /// Returns the implied changes: first the deletions (objects the store had that the list
    /// lacks, with their last known state, sorted by key), then, in list order, additions and
    /// updates. An object whose resource version did not move is unchanged and not reported;
    /// one whose uid changed was deleted and re-created while the watch was away, and is
    /// reported as a deletion of the old and an addition of the new.
    @discardableResult
    public func replace(with objects: [Object]) -> [StoreChange<Object>] {
        store.write { state in
            var fresh: [ObjectKey: StoreEntry<Object>] = [:]
            fresh.reserveCapacity(objects.count)
            for object in objects { fresh[object.key] = StoreEntry(object) }

            var deletions: [StoreChange<Object>] = []
            for (key, old) in state.objects where fresh[key] == nil {
                deletions.append(.deleted(old.object))
            }
            deletions.sort { $0.key < $1.key }

            var changes = deletions
            var seen = Set<ObjectKey>()
            for object in objects where seen.insert(object.key).inserted {
                let new = fresh[object.key]!.object  // the last of duplicate keys wins
                guard let old = state.objects[object.key]?.object else {
                    changes.append(.added(new))
                    continue
                }
                if old.metadata.uid != new.metadata.uid {
                    changes.append(.deleted(old))
                    changes.append(.added(new))
                } else if old.metadata.resourceVersion != new.metadata.resourceVersion
                    || new.metadata.resourceVersion == nil
                {
                    changes.append(.updated(old: old, new: new))
                }
            }
            state.objects = fresh
            state.hasSynced = true
            return changes
        }
    }
}
