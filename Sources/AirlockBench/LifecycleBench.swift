import AirlockAPI
import AirlockController
import AirlockIdentity
import AirlockPolicy
import ArgumentParser
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTesting
import Logging
import Synchronization

/// Create → Granted, approval → Granted, expiry lateness, and a burst, with the controller
/// in-process against a local real API server.
struct LifecycleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifecycle",
        abstract: "ActionRequest lifecycle: create -> Granted, approval -> Granted, expiry lateness, burst.")

    @Option(help: "Requests in the burst.") var burst = 1000
    @Option(help: "Requests created at once (1: one after the other).") var concurrency = 32
    @Option(
        help:
            "Credential mode of the burst: Subject (Role + RoleBinding) or Ephemeral (+ ServiceAccount, token, Secret)."
    )
    var credential = "Subject"
    @Option(help: "Approval-path requests.") var approvals = 100
    @Option(help: "Seconds until the burst's grants expire.") var expirySeconds = 20
    @Option(help: "Reconcile workers.") var workers = 16

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["AIRLOCK_BENCH_DEBUG"] == nil ? .error : .warning
            return handler
        }
        try await withControlPlane { plane, client in
            let signer = try IdentitySigner(key: IdentitySigner.randomKey())
            var logger = Logger(label: "bench")
            logger.logLevel = ProcessInfo.processInfo.environment["AIRLOCK_BENCH_DEBUG"] == nil ? .error : .warning
            let namespace = try await plane.makeNamespace(prefix: "benchlc")
            let target = try await plane.makeNamespace(prefix: "benchlc-target")
            let airlock = try AirlockOperator(
                client: client, signer: signer,
                configuration: OperatorConfiguration(
                    controllerNamespace: "airlock-system", controllerUsername: "controller",
                    policy: PolicyConfiguration(controllerNamespace: "airlock-system"),
                    credentialEndpoint: CredentialEndpoint(
                        server: plane.server.absoluteString, certificateAuthorityPEM: nil),
                    workers: workers),
                logger: logger)
            let running = Task { await airlock.run() }
            _ = try await client.create(
                ApprovalPolicy(
                    metadata: ObjectMeta(name: "bench-auto"),
                    spec: ApprovalPolicySpec(
                        match: PolicyMatch(requestNamespaces: [namespace], verbs: ["get"]), decision: .autoApprove,
                        maxDuration: KubeDuration(seconds: 3600))))
            _ = try await client.create(
                ApprovalPolicy(
                    metadata: ObjectMeta(name: "bench-review"),
                    spec: ApprovalPolicySpec(
                        match: PolicyMatch(requestNamespaces: [namespace], verbs: ["delete"]),
                        decision: .requireApproval,
                        maxDuration: KubeDuration(seconds: 3600))))
            try await eventually("operator ready", timeout: .seconds(30)) { airlock.isReady }

            // Watch the requests: when did each reach which phase?
            let seen = Mutex<[String: [ActionRequestPhase: ContinuousClock.Instant]]>([:])
            let expiresAt = Mutex<[String: Date]>([:])
            let expiredAt = Mutex<[String: Date]>([:])
            // An informer, not a bare watch: it reconnects if the API server drops a slow watcher.
            let observer = Informer(client: client, ActionRequest.self, namespace: namespace, logger: logger)
            observer.addHandler { change in
                let request = change.object
                guard let name = request.metadata.name, let phase = request.status?.phase else { return }
                let now = ContinuousClock.now
                seen.withLock { if $0[name, default: [:]][phase] == nil { $0[name, default: [:]][phase] = now } }
                if phase == .granted, let at = request.status?.expiresAt { expiresAt.withLock { $0[name] = at } }
                if phase == .expired { expiredAt.withLock { if $0[name] == nil { $0[name] = Date() } } }
            }
            let watcher = Task { await observer.run() }
            try await observer.store.waitUntilSynced()
            let mode: CredentialMode = credential.lowercased() == "ephemeral" ? .ephemeral : .subject
            @Sendable func request(_ name: String, verb: String, seconds: Int64) -> ActionRequest {
                let spec = ActionRequestSpec(
                    reason: "bench", duration: KubeDuration(seconds: seconds),
                    permissions: [
                        PermissionRule(namespace: target, apiGroups: [""], resources: ["configmaps"], verbs: [verb])
                    ],
                    credential: mode)
                // As the webhook does: identity stamped, finalizer set at creation.
                return signer.stamp(
                    ActionRequest(
                        metadata: ObjectMeta(
                            name: name, namespace: namespace, finalizers: [AirlockConstants.revokeGrantsFinalizer]),
                        spec: spec),
                    requester: Identity(username: "system:serviceaccount:\(namespace):agent"))
            }

            // 1. A burst of auto-approved requests.
            let sent = Mutex<[String: ContinuousClock.Instant]>([:])
            let memoryBefore = Memory.residentMB
            let start = ContinuousClock.now
            try await concurrently(burst, width: concurrency) { index in
                let name = "auto-\(index)"
                sent.withLock { $0[name] = ContinuousClock.now }
                _ = try await client.create(request(name, verb: "get", seconds: Int64(expirySeconds)))
            }
            let progress = Task {
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(5))
                    let granted = seen.withLock { $0.values.filter { $0[.granted] != nil }.count }
                    let depth = await airlock.controller.queue.depth
                    let stats = await airlock.controller.queue.stats
                    FileHandle.standardError.write(
                        Data(
                            "[bench] granted \(granted)/\(burst); cached \(airlock.controller.primary.store.count); queue depth \(depth), processing \(stats.processing), delayed \(stats.delayed), retries \(stats.retriesTotal)\n"
                                .utf8))
                }
            }
            defer { progress.cancel() }
            try await eventually("burst granted", timeout: .seconds(300), interval: .milliseconds(20)) {
                seen.withLock { phases in (0..<burst).allSatisfy { phases["auto-\($0)"]?[.granted] != nil } }
            }
            let burstTime = start.duration(to: ContinuousClock.now)
            var granted = Samples()
            for index in 0..<burst {
                let name = "auto-\(index)"
                granted.add(sent.withLock { $0[name]! }.duration(to: seen.withLock { $0[name]![.granted]! }))
            }
            print(
                "burst: \(burst) auto-approved requests (credential \(mode.rawValue)) created with concurrency \(concurrency), all Granted after \(String(format: "%.2f", burstTime.seconds)) s"
            )
            print("create -> Granted: \(granted.summary)")

            // 2. Approval -> Granted, one request at a time.
            var approval = Samples()
            for index in 0..<approvals {
                let name = "review-\(index)"
                let created = try await client.create(request(name, verb: "delete", seconds: 3600))
                try await eventually("\(name) pending", timeout: .seconds(30), interval: .milliseconds(2)) {
                    seen.withLock { $0[name]?[.pending] != nil }
                }
                let review = signer.stamp(
                    ActionReview(
                        metadata: ObjectMeta(name: "\(name)-ok", namespace: namespace),
                        // Bound to this request instance, as the webhook binds every review.
                        spec: ActionReviewSpec(request: name, decision: .approve, requestUID: created.metadata.uid)),
                    reviewer: Identity(username: "admin", groups: ["system:masters"]))
                let at = ContinuousClock.now
                _ = try await client.create(review)
                try await eventually("\(name) granted", timeout: .seconds(30), interval: .milliseconds(1)) {
                    seen.withLock { $0[name]?[.granted] != nil }
                }
                approval.add(at.duration(to: seen.withLock { $0[name]![.granted]! }))
            }
            print("approval -> Granted: \(approval.summary)")

            // 3. Expiry lateness of the burst: phase Expired (grants already deleted) vs expiresAt.
            try await eventually(
                "burst expired", timeout: .seconds(Int64(expirySeconds) + 300), interval: .milliseconds(50)
            ) {
                expiredAt.withLock { at in (0..<burst).allSatisfy { at["auto-\($0)"] != nil } }
            }
            var lateness = Samples()
            for index in 0..<burst {
                let name = "auto-\(index)"
                let late = expiredAt.withLock { $0[name]! }.timeIntervalSince(expiresAt.withLock { $0[name]! })
                lateness.add(.milliseconds(Int64(late * 1000)))
            }
            print("expiry lateness (grants deleted and Expired written, seen on a watch): \(lateness.summary)")
            print(
                "memory: RSS \(String(format: "%.1f", Memory.residentMB)) MB now, \(String(format: "%.1f", memoryBefore)) MB before the burst, peak \(String(format: "%.1f", Memory.peakMB)) MB (controller and load generator in one process)"
            )
            watcher.cancel()
            running.cancel()
            await running.value
        }
    }
}
