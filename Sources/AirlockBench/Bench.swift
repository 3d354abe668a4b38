import ArgumentParser
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTesting
import Logging
import Synchronization

@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "airlock-bench",
        abstract: "Benchmarks against a local real kube-apiserver + etcd (prints figures).",
        subcommands: [ClientBench.self, RuntimeBench.self, LifecycleBench.self, ShippedBench.self, CLIBench.self])
}

/// Starts a private control plane with client-side rate limiting off.
func withControlPlane(_ body: (TestControlPlane, KubernetesClient) async throws -> Void) async throws {
    let plane = try await TestControlPlane.start()
    var configuration = try plane.clientConfiguration(as: plane.configuration.adminUser)
    configuration.rateLimit = nil
    let client = try KubernetesClient(configuration: configuration)
    do {
        try await body(plane, client)
    } catch {
        try? await client.shutdown()
        await plane.stop()
        throw error
    }
    try await client.shutdown()
    await plane.stop()
}

struct ClientBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client", abstract: "KubeClient: creates/s, gets/s, write -> watch event delay.")

    @Option(help: "Objects to create and read.") var count = 2000
    @Option(help: "Requests in flight.") var concurrency = 16

    func run() async throws {
        try await withControlPlane { plane, client in
            let namespace = try await plane.makeNamespace(prefix: "bench")
            let clock = ContinuousClock()
            var start = clock.now
            try await concurrently(count, width: concurrency) { index in
                _ = try await client.create(
                    ConfigMap(metadata: ObjectMeta(name: "c\(index)", namespace: namespace), data: ["i": "\(index)"]))
            }
            let createTime = start.duration(to: clock.now)
            start = clock.now
            try await concurrently(count, width: concurrency) { index in
                _ = try await client.get(ConfigMap.self, name: "c\(index)", namespace: namespace)
            }
            let getTime = start.duration(to: clock.now)
            print(
                "creates: \(count) in \(String(format: "%.2f", createTime.seconds)) s = \(Int(Double(count) / createTime.seconds))/s (concurrency \(concurrency))"
            )
            print(
                "gets:    \(count) in \(String(format: "%.2f", getTime.seconds)) s = \(Int(Double(count) / getTime.seconds))/s (concurrency \(concurrency))"
            )

            // Write -> watch event: one write at a time, timed until its ADDED event arrives.
            let watchNamespace = try await plane.makeNamespace(prefix: "benchwatch")
            let sent = Mutex<[String: ContinuousClock.Instant]>([:])
            let stream = try await client.watch(
                ConfigMap.self, namespace: watchNamespace, options: ListOptions(resourceVersion: "0"))
            let samples = Mutex(Samples())
            let events = 300
            let reader = Task {
                var seen = 0
                for try await event in stream {
                    guard case .added(let map) = event, let name = map.metadata.name,
                        let at = sent.withLock({ $0[name] })
                    else { continue }
                    samples.withLock { $0.add(at.duration(to: clock.now)) }
                    seen += 1
                    if seen == events { return }
                }
            }
            for index in 0..<events {
                sent.withLock { $0["w\(index)"] = clock.now }
                _ = try await client.create(
                    ConfigMap(metadata: ObjectMeta(name: "w\(index)", namespace: watchNamespace)))
            }
            try await reader.value
            print("write -> watch event: \(samples.withLock { $0.summary })")
        }
    }
}

/// Reconciles by reading the cache; records when each reconcile of a key started.
final class TimingReconciler: Reconciler {
    let started = Mutex<[String: ContinuousClock.Instant]>([:])
    let count = Atomic<Int>(0)
    let store = Mutex<Store<ConfigMap>?>(nil)

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let now = ContinuousClock.now
        started.withLock { if $0[key.name] == nil { $0[key.name] = now } }
        _ = store.withLock { $0 }?.get(key)
        count.add(1, ordering: .relaxed)
        return .done
    }
}

struct RuntimeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime",
        abstract: "KubeRuntime: initial sync, write -> reconcile delay, reconciles/s, memory.")

    @Option(help: "Objects in the cache.") var objects = 1000
    @Option(help: "Timed writes after the sync.") var writes = 300
    @Option(help: "Reconcile workers.") var workers = 4

    func run() async throws {
        try await withControlPlane { plane, client in
            let namespace = try await plane.makeNamespace(prefix: "benchrt")
            let payload = String(repeating: "x", count: 200)
            try await concurrently(objects, width: 32) { index in
                _ = try await client.create(
                    ConfigMap(
                        metadata: ObjectMeta(
                            name: "o\(index)", namespace: namespace, labels: ["bench": "yes", "i": "\(index)"]),
                        data: ["payload": payload]))
            }
            let baseline = Memory.residentMB
            print(
                "objects: \(objects) (ConfigMaps with labels and a 200-byte value); RSS before the informer \(String(format: "%.1f", baseline)) MB"
            )

            var logger = Logger(label: "bench")
            logger.logLevel = .warning
            let reconciler = TimingReconciler()
            let informer = Informer(client: client, ConfigMap.self, namespace: namespace, logger: logger)
            reconciler.store.withLock { $0 = informer.store }
            let controller = Controller(
                name: "bench", primary: informer, reconciler: reconciler, workers: workers, logger: logger)
            let manager = ControllerManager(controllers: [controller], elector: nil, logger: logger)
            let clock = ContinuousClock()
            let start = clock.now
            let running = Task { await manager.run() }
            try await informer.store.waitUntilSynced()
            let sync = start.duration(to: clock.now)
            while reconciler.count.load(ordering: .relaxed) < objects { try await Task.sleep(for: .milliseconds(5)) }
            let drained = start.duration(to: clock.now)
            let reconcileRate = Double(objects) / (drained - sync).seconds
            print(
                "initial sync: \(Samples.ms(sync)) ms; \(objects) initial reconciles done after \(Samples.ms(drained)) ms (\(Int(reconcileRate)) reconciles/s, \(workers) workers)"
            )
            print(
                "memory after sync: RSS \(String(format: "%.1f", Memory.residentMB)) MB (\(String(format: "%+.1f", Memory.residentMB - baseline)) MB for the cache and controller), peak RSS \(String(format: "%.1f", Memory.peakMB)) MB"
            )

            var samples = Samples()
            for index in 0..<writes {
                let name = "n\(index)"
                let sent = clock.now
                _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: name, namespace: namespace)))
                while reconciler.started.withLock({ $0[name] }) == nil { try await Task.sleep(for: .microseconds(200)) }
                samples.add(sent.duration(to: reconciler.started.withLock { $0[name] }!))
            }
            print("write -> reconcile start: \(samples.summary)")
            running.cancel()
            await running.value
        }
    }
}
