import KubeCore
import Synchronization
import Testing

/// A ConfigMap with the fields the runtime looks at.
func configMap(
    _ name: String, namespace: String? = "default", resourceVersion: String? = "1", uid: String? = nil,
    labels: [String: String]? = nil
) -> ConfigMap {
    var metadata = ObjectMeta(name: name, namespace: namespace, labels: labels)
    metadata.resourceVersion = resourceVersion
    metadata.uid = uid ?? "uid-\(name)"
    return ConfigMap(metadata: metadata)
}

/// A deterministic random source: returns the given values in turn, then repeats the last.
final class ScriptedRandom: Sendable {
    private let state: Mutex<(values: [Double], index: Int)>

    init(_ values: [Double]) {
        precondition(!values.isEmpty)
        state = Mutex((values, 0))
    }

    func next() -> Double {
        state.withLock { state in
            let value = state.values[min(state.index, state.values.count - 1)]
            state.index += 1
            return value
        }
    }
}

/// Yields until `condition` holds (no sleeping); records an issue if it never does.
func eventually(
    _ what: String = "condition", sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async -> Bool
) async {
    for _ in 0..<100_000 {
        if await condition() { return }
        await Task.yield()
    }
    Issue.record("\(what) never held", sourceLocation: sourceLocation)
}

/// A value shared between test tasks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    var value: Value { mutex.withLock { $0 } }

    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }
}
