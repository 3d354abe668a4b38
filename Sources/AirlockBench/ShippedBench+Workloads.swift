import AirlockAPI
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Synchronization

extension BenchEnvironment {
    /// Admission webhook call totals so far, from the API server's and the controller's metrics.
    func webhookTimes() async throws -> (server: WebhookTimes, controller: WebhookTimes) {
        let server = String(
            decoding: try await admin.raw(KubeRequest(method: .get, path: "/metrics")).body, as: UTF8.self)
        return (WebhookTimes.apiServer(server), WebhookTimes.controller(try await controller.metricsText()))
    }

    /// The controller's fixed cost: CPU and API calls per second with nothing to do
    /// (lease renewals, informers' watches, timers), measured after it settled.
    func idle(seconds: Int) async throws {
        progress("idle: settling")
        try await Task.sleep(for: .seconds(5))
        let cpuBefore = controller.cpuSeconds
        let callsBefore = try await controller.apiCalls()
        try await Task.sleep(for: .seconds(seconds))
        let cpu = controller.cpuSeconds - cpuBefore
        let calls = try await controller.apiCalls().merging(callsBefore.mapValues { -$0 }, uniquingKeysWith: +)
            .filter { $0.value > 0 && !$0.key.hasPrefix("reconcile ") }
        say(
            "idle: \(String(format: "%.1f", cpu * 1000 / Double(seconds))) ms controller CPU per second; API calls per second: "
                + calls.sorted { $0.key < $1.key }.map {
                    "\($0.key) \(String(format: "%.2f", $0.value / Double(seconds)))"
                }
                .joined(separator: ", "))
    }

    /// `count` auto-approved lifecycles created by `width` creators (paced when `pace` is
    /// set), observed from create to Granted and from expiresAt to the RoleBinding's deletion.
    func lifecycles(
        _ label: String, count: Int, width: Int, pace: Duration?, grantSeconds: Int, reportMemory: Bool = false,
        timesFile: String? = nil, floor: Duration? = nil
    ) async throws {
        progress("\(label): setting up")
        let (namespace, target) = try await namespaces("lc")
        let observer = LifecycleObserver(client: admin, namespace: namespace, target: target, logger: logger)
        try await observer.start()
        defer { observer.stop() }
        progress("\(label): creating")
        let cpuBefore = controller.cpuSeconds
        let serverBefore = plane.serverCPUSeconds
        let callsBefore = try await controller.apiCalls()
        let webhooksBefore = try await webhookTimes()
        let auditSince = Date()
        let drift = WallClockDrift()
        let start = ContinuousClock.now
        let alice = self.alice
        try await concurrently(count, width: width) { index in
            if let pace { try await ContinuousClock().sleep(until: start.advanced(by: pace * index)) }
            let name = "lc-\(index)"
            observer.sent(name, at: Date())
            _ = try await alice.create(Self.request(name, namespace: namespace, target: target, seconds: grantSeconds))
            observer.created(name, at: Date())
        }
        let created = start.duration(to: ContinuousClock.now)
        progress("\(label): created; waiting for grants and expiry")
        try await eventually("all granted", timeout: .seconds(600), interval: .milliseconds(20)) {
            observer.count { $0.granted != nil } == count
        }
        let allGranted = start.duration(to: ContinuousClock.now)
        try await eventually("all revoked", timeout: .seconds(Int64(grantSeconds) + 600), interval: .milliseconds(50)) {
            observer.count { $0.revoked != nil } == count
        }
        // The last status writes (Expired) follow the deletions.
        try await eventually("all Expired", timeout: .seconds(120), interval: .milliseconds(100)) {
            try await admin.listAll(ActionRequest.self, namespace: namespace).items.allSatisfy {
                $0.status?.phase == .expired
            }
        }
        let cpu = controller.cpuSeconds - cpuBefore
        let serverCPU = plane.serverCPUSeconds - serverBefore
        let counted = try await controller.apiCalls().merging(callsBefore.mapValues { -$0 }, uniquingKeysWith: +)
            .filter { $0.value > 0 }
        var granted = Samples()
        var createCalls = Samples()
        var afterCreate = Samples()
        var toBinding = Samples()
        var bindingToGranted = Samples()
        var late = Samples()
        var lateByDue = DueWindows()
        for index in 0..<count {
            let times = observer.times(of: "lc-\(index)")
            if let sent = times.sent, let at = times.granted { granted.add(.seconds(at.timeIntervalSince(sent))) }
            if let sent = times.sent, let at = times.created { createCalls.add(.seconds(at.timeIntervalSince(sent))) }
            if let created = times.created, let at = times.granted {
                afterCreate.add(.seconds(at.timeIntervalSince(created)))
            }
            if let created = times.created, let bound = times.bound, let at = times.granted {
                toBinding.add(.seconds(bound.timeIntervalSince(created)))
                bindingToGranted.add(.seconds(at.timeIntervalSince(bound)))
            }
            if let due = times.expiresAt, let at = times.revoked {
                let lateness = Duration.seconds(at.timeIntervalSince(due))
                late.add(lateness)
                lateByDue.add(due: due, late: lateness)
            }
        }
        if let timesFile {
            try observer.write(count: count, to: "\(timesFile)-\(label.dropFirst().prefix(1))")
        }
        let reconciles = counted.filter { $0.key.hasPrefix("reconcile ") }
        let everyCall = counted.filter { !$0.key.hasPrefix("reconcile ") }
        // Calls made on a timer, whatever the load, are shown apart, not counted per lifecycle.
        let timed = everyCall.filter { Self.isTimerDriven($0.key) }
        let calls = everyCall.filter { !Self.isTimerDriven($0.key) }
        // Events are not counted either (the issue excludes them): they are shown.
        let total = calls.filter { !$0.key.contains(" events") }.values.reduce(0, +)
        let againstFloor = floor.map {
            "; \(String(format: "%.2f", allGranted.seconds / $0.seconds))× the floor measured just before"
        }
        say(
            "\(label): created in \(String(format: "%.2f", created.seconds)) s, all granted after \(String(format: "%.2f", allGranted.seconds)) s (\(String(format: "%.2f", allGranted.seconds / created.seconds))× the creation time\(againstFloor ?? ""))"
        )
        say("  create -> Granted (webhook included): \(granted.summary)")
        say("    the create call (webhooks, the write): \(createCalls.summary)")
        say("    create returned -> Granted seen: \(afterCreate.summary)")
        say("      of which create returned -> RoleBinding seen (a watch, 2 writes): \(toBinding.summary)")
        say("      and RoleBinding seen -> Granted seen (the status write): \(bindingToGranted.summary)")
        say("  expiry lateness (expiresAt -> RoleBinding deleted): \(late.summary)")
        if let window = lateByDue.latest() {
            say(
                "    of those due \(String(format: "%.2f-%.2f", window.from, window.to)) s after the first (the latest's window): \(window.samples.summary)"
            )
        }
        say("    the wall clock against the monotonic one meanwhile: \(drift.summary)")
        collectionsReport(observer, count: count).forEach(say)
        try await audit?.report(prefix: "lc", count: count, since: auditSince)
        let webhooks = try await webhookTimes()
        let seen = webhooks.server.meanMilliseconds(since: webhooksBefore.server)
        let served = webhooks.controller.meanMilliseconds(since: webhooksBefore.controller)
        say(
            "  webhook calls, mean as the API server / the controller saw them: "
                + ["mutating", "validating"].filter { seen[$0] != nil }.map {
                    "\($0) \(String(format: "%.1f", seen[$0] ?? 0)) / \(String(format: "%.1f", served[$0] ?? 0)) ms"
                }.joined(separator: ", "))
        say(
            "  per lifecycle: \(String(format: "%.2f", total / Double(count))) API calls, \(String(format: "%.2f", cpu * 1000 / Double(count))) ms controller CPU (webhook included); \(String(format: "%.2f", serverCPU * 1000 / Double(count))) ms API server + etcd CPU"
        )
        say(
            "  API calls by verb and resource: "
                + calls.sorted { $0.key < $1.key }.map {
                    "\($0.key) \(String(format: "%.2f", $0.value / Double(count)))"
                }
                .joined(separator: ", "))
        say(
            "  on timers (not counted per lifecycle): "
                + (timed.isEmpty
                    ? "none"
                    : timed.sorted { $0.key < $1.key }.map { "\($0.key) \(Int($0.value))" }.joined(separator: ", ")))
        say(
            "  reconciles per lifecycle: "
                + reconciles.sorted { $0.key < $1.key }.map {
                    "\($0.key.dropFirst(10)) \(String(format: "%.2f", $0.value / Double(count)))"
                }.joined(separator: ", "))
        if reportMemory {
            say("  controller RSS after these lifecycles: \(controller.residentDescription)")
        }
    }

    /// Whether an API call (`verb resource`) is made on a timer whatever the load: leader
    /// election's renewals, and the grant sweeper's lists of grant objects (every 30 s; no
    /// lifecycle lists them).
    static func isTimerDriven(_ call: String) -> Bool {
        let sweptKinds: Set = [
            "roles", "rolebindings", "clusterroles", "clusterrolebindings", "secrets", "serviceaccounts",
        ]
        let parts = call.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return false }
        return parts[1] == "leases" || (parts[0] == "list" && sweptKinds.contains(parts[1]))
    }

    /// 300 lifecycles created at 6/s while the controller is SIGKILLed `kills` times (and
    /// restarted 1-3 s later): how late each grant object goes after max(expiry, controller back up).
    func restarts(count: Int, kills: Int) async throws {
        let (namespace, target) = try await namespaces("restart")
        let observer = LifecycleObserver(client: admin, namespace: namespace, target: target, logger: logger)
        try await observer.start()
        defer { observer.stop() }
        let outages = Mutex<[(down: Date, up: Date)]>([])
        let controller = self.controller
        let killer = Task {
            var random = SplitMix(seed: 42)
            for _ in 0..<kills {
                try await Task.sleep(for: .milliseconds(4000 + Int(random.next() % 4000)))
                let down = Date()
                await controller.kill()
                try await Task.sleep(for: .milliseconds(1000 + Int(random.next() % 2000)))
                try await controller.start()
                outages.withLock { $0.append((down, Date())) }
            }
        }
        let start = ContinuousClock.now
        let alice = self.alice
        try await concurrently(count, width: 1) { index in
            try await ContinuousClock().sleep(until: start.advanced(by: .milliseconds(166) * index))
            let name = "lc-\(index)"
            observer.sent(name, at: Date())
            // The webhook is down while the controller is: a creator retries, as kubectl users would.
            while true {
                do {
                    _ = try await alice.create(Self.request(name, namespace: namespace, target: target, seconds: 10))
                    return
                } catch let error as KubernetesError where error.isAlreadyExists {
                    return
                } catch {
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }
        try await killer.value
        try await eventually("all revoked", timeout: .seconds(300), interval: .milliseconds(50)) {
            observer.count { $0.revoked != nil } == count
        }
        let down = outages.withLock { $0 }
        var late = Samples()
        var over = 0
        for index in 0..<count {
            let times = observer.times(of: "lc-\(index)")
            guard let expiresAt = times.expiresAt, let revoked = times.revoked else { continue }
            let due = down.first { $0.down <= expiresAt && expiresAt < $0.up }.map(\.up) ?? expiresAt
            let lateness = revoked.timeIntervalSince(due)
            late.add(.seconds(lateness))
            if lateness > 5 { over += 1 }
        }
        say(
            "restarts: \(count) lifecycles at 6/s, controller SIGKILLed \(down.count)× (restarted 1-3 s later):"
                + " lateness after max(expiry, controller back up) \(late.summary); \(over) grants more than 5 s late")
    }
}

/// SplitMix64: a seeded generator, so a schedule can be replayed.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Role {
    init(meta: ObjectMeta, rules: [PolicyRule]) { self.init(metadata: meta, rules: rules) }
}
