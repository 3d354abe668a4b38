import AirlockAPI
import AirlockController
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Synchronization
import Testing

/// Issue 14: Airlock under faults. Two `airlock controller` replicas elect a leader; during
/// hundreds of request lifecycles the replicas are SIGKILLed at random moments (the leader
/// every other time), the API server restarts (every watch drops, its cache with it), a proxy
/// cuts the replicas' connections (watches drop, the server stays), and Slack fails 30 % of
/// calls. Afterwards ``ChaosInvariants`` must find nothing: no grant beyond its expiry + 5 s
/// once a leader runs, no grant or card made twice, every decision audited exactly once, every
/// request terminal or correctly Pending, every review counted once, an intact audit chain.
///
/// Size: `AIRLOCK_CHAOS_LIFECYCLES` (default 300; kills and restarts scale with it);
/// `AIRLOCK_CHAOS_SEED` replays a fault schedule (printed at the start).
@Suite struct ChaosTests {
    struct Plan: CustomStringConvertible {
        var lifecycles: Int
        var kills: Int
        var apiRestarts: Int
        var connectionCuts: Int
        var seed: UInt64
        var slackFailure = 0.3

        static var fromEnvironment: Plan {
            let environment = ProcessInfo.processInfo.environment
            let lifecycles = environment["AIRLOCK_CHAOS_LIFECYCLES"].flatMap(Int.init) ?? 300
            let seed = environment["AIRLOCK_CHAOS_SEED"].flatMap(UInt64.init) ?? UInt64(Date().timeIntervalSince1970)
            return Plan(
                lifecycles: lifecycles, kills: max(5, lifecycles / 50), apiRestarts: max(1, lifecycles / 300),
                connectionCuts: max(3, lifecycles / 100), seed: seed)
        }

        var description: String {
            "\(lifecycles) lifecycles, \(kills) kills, \(apiRestarts) API server restarts, \(connectionCuts) "
                + "connection cuts, Slack failing "
                + "\(Int(slackFailure * 100)) %, seed \(seed)"
        }
    }

    @Test func everyInvariantHoldsUnderKillsRestartsAndFailingSlack() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: ControllerProcessTests.binary),
            "build the executable first: swift build --build-tests (hack/test.sh does)")
        let plan = Plan.fromEnvironment
        print("[chaos] plan: \(plan) (replay: AIRLOCK_CHAOS_SEED=\(plan.seed))")
        let environment = try await ChaosEnvironment.start()
        do {
            try await run(plan, environment)
        } catch {
            await environment.stop()
            throw error
        }
        await environment.stop()
    }

    private func run(_ plan: Plan, _ environment: ChaosEnvironment) async throws {
        let started = ContinuousClock.now
        let slack = environment.slack
        try await eventually("a leader", timeout: .seconds(60), interval: .milliseconds(200)) {
            try await environment.leader() != nil
        }
        slack.failFraction(plan.slackFailure, with: .serverError(status: 500), seed: plan.seed)
        let monitor = try ChaosMonitor(environment: environment)
        let monitoring = Task { await monitor.run() }
        let faults = ChaosFaults(plan: plan, environment: environment, monitor: monitor)
        let supervising = Task { await faults.superviseReplicas() }
        let faulting = Task { try await faults.run(over: .milliseconds(100 * plan.lifecycles)) }

        let workload = ChaosWorkload(environment: environment)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<plan.lifecycles {
                group.addTask { try await workload.run(index) }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await group.waitForAll()
        }
        try await faulting.value
        let admin = environment.admin
        let namespace = environment.namespace
        // Settled: terminal, or Pending with its card delivered. What is not by the deadline is
        // named, and the invariants below say what is wrong with it.
        var unsettled: [ActionRequest] = []
        let deadline = ContinuousClock.now + .seconds(180)
        repeat {
            try await Task.sleep(for: .milliseconds(500))
            let requests = try await persist { try await admin.listAll(ActionRequest.self, namespace: namespace).items }
            unsettled = requests.filter { request in
                !(request.status?.phase?.isTerminal == true
                    || (request.status?.phase == .pending
                        && request.status?.notifications?.contains { $0.delivered } == true))
            }
            if requests.count != plan.lifecycles {
                Issue.record("\(requests.count) of \(plan.lifecycles) requests exist")
            }
        } while !unsettled.isEmpty && ContinuousClock.now < deadline
        for request in unsettled.prefix(10) {
            let name = request.metadata.name ?? ""
            let phase = request.status?.phase?.rawValue ?? "-"
            Issue.record("not settled: \(name) \(phase), notifications \(request.status?.notifications ?? [])")
        }
        // Grants go, and the audit file catches up with the statuses (waits only: what is still
        // missing after them is a violation below).
        try? await eventually("grants of finished requests removed", timeout: .seconds(30)) {
            try await monitor.listGrants().isEmpty
        }
        let requests = try await admin.listAll(ActionRequest.self, namespace: namespace).items
        try? await eventually("every terminal phase audited", timeout: .seconds(30)) {
            let records = try SecuritySweep.ControllerCrashTests.records(environment.auditFile)
            return requests.allSatisfy { request in
                guard let phase = request.status?.phase, phase.isTerminal else { return true }
                return records.contains {
                    $0.requestUID == request.metadata.uid && $0.event == phase.rawValue.lowercased()
                }
            }
        }
        monitoring.cancel()
        supervising.cancel()
        await monitoring.value
        await supervising.value
        let figures = faults.figures
        for replica in environment.replicas { replica.stopForGood() }

        let invariants = ChaosInvariants(
            requests: requests, reviews: try await admin.listAll(ActionReview.self, namespace: namespace).items,
            records: try SecuritySweep.ControllerCrashTests.records(environment.auditFile),
            cardPosts: cardPosts(slack), replies: replies(slack), monitor: monitor.snapshot,
            remainingGrants: try await monitor.listGrants(), now: Date())
        try await monitor.shutdown()
        let violations = invariants.violations()
        let verification = try AuditLog.verify(path: environment.auditFile)
        let leaks = try secretsInLogs(environment)
        let observed = monitor.snapshot
        let slackCalls = slack.calls
        print(
            "[chaos] \(requests.count) lifecycles in \(ContinuousClock.now - started): "
                + "\(figures.kills) kills (\(figures.leaderKills) of the leader), \(figures.exits) exits on their own, "
                + "\(figures.apiRestarts) API server restarts, \(figures.cuts) connection cuts "
                + "(\(figures.connectionsCut) connections), longest time without a leader "
                + "\(String(format: "%.1f", observed.longestOutage)) s; bindings removed at most "
                + "\(String(format: "%.1f", observed.bindingLateness)) s after expiry (or a new leader: "
                + "\(observed.latestBinding)); "
                + "Slack: \(slackCalls.count) calls, "
                + "\(slackCalls.filter(\.faulted).count) failed on purpose; \(verification.count) audit records; "
                + "grant samples \(observed.samples) (\(observed.failedSamples) failed); "
                + "phases \(Dictionary(grouping: requests) { $0.status?.phase?.rawValue ?? "-" }.mapValues(\.count)); "
                + "violations \(violations.count + leaks.count)")
        for violation in violations { print("[chaos] violation: \(violation)") }
        for (date, what) in observed.timeline {
            print("[chaos] at +\(String(format: "%.1f", date.timeIntervalSince(monitor.started))) s: \(what)")
        }
        #expect(figures.kills >= plan.kills && figures.leaderKills >= 2)
        #expect(figures.apiRestarts >= plan.apiRestarts && figures.cuts >= plan.connectionCuts)
        #expect(violations.isEmpty, "\(violations.count) violations, first: \(violations.prefix(20))")
        #expect(verification.count == invariants.records.count)
        #expect(leaks.isEmpty, "\(leaks)")
    }

    /// Successful card posts per request uid.
    private func cardPosts(_ slack: FakeSlackServer) -> [String: Int] {
        var posts: [String: Int] = [:]
        for call in slack.calls("chat.postMessage") where call.succeeded && call.threadTS == nil {
            if let uid = call.metadata?["event_payload"]?["uid"]?.stringValue { posts[uid, default: 0] += 1 }
        }
        return posts
    }

    /// Thread replies per request uid (by the card they answer).
    private func replies(_ slack: FakeSlackServer) -> [String: [String]] {
        let messages = slack.messages
        var cards: [String: String] = [:]
        for message in messages where message.threadTS == nil {
            if let uid = message.metadata?["event_payload"]?["uid"]?.stringValue { cards[message.ts] = uid }
        }
        var replies: [String: [String]] = [:]
        for message in messages {
            guard let thread = message.threadTS, let uid = cards[thread] else { continue }
            replies[uid, default: []].append(message.text)
        }
        return replies
    }

    /// Known secrets found in the replicas' logs.
    private func secretsInLogs(_ environment: ChaosEnvironment) throws -> [String] {
        let secrets: [String: String] = try [
            "the controller's token": environment.plane.token(for: "controller"),
            "the admin's token": environment.plane.token(for: "admin"),
            "the Slack bot token": environment.slack.token,
            "the Slack signing secret": environment.slack.signingSecret,
        ]
        var found: [String] = []
        for file in environment.replicas.flatMap(\.logFiles) {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (name, value) in secrets where text.contains(value) {
                found.append("\(name) in \(file.lastPathComponent)")
            }
        }
        return found
    }
}

/// The fault schedule of a chaos run: SIGKILLs (the leader every other time) and API server
/// restarts at seeded random moments; replicas that exit on their own are started again.
final class ChaosFaults: Sendable {
    struct Figures {
        var kills = 0
        var leaderKills = 0
        var apiRestarts = 0
        var cuts = 0
        var connectionsCut = 0
        var exits = 0
    }

    let plan: ChaosTests.Plan
    let environment: ChaosEnvironment
    let monitor: ChaosMonitor
    private let counts = Mutex(Figures())

    init(plan: ChaosTests.Plan, environment: ChaosEnvironment, monitor: ChaosMonitor) {
        self.plan = plan
        self.environment = environment
        self.monitor = monitor
    }

    var figures: Figures { counts.withLock { $0 } }

    enum Fault { case kill, apiRestart, cut }

    /// Spreads the faults over `window`: the kills, with the API server restarts and the
    /// connection cuts evenly among them.
    func run(over window: Duration) async throws {
        var random = SeededRandom(seed: plan.seed)
        var events = Array(repeating: Fault.kill, count: plan.kills)
        for (fault, count) in [(Fault.apiRestart, plan.apiRestarts), (.cut, plan.connectionCuts)] where count > 0 {
            let spacing = events.count / (count + 1)
            for index in (1...count).reversed() { events.insert(fault, at: index * spacing) }
        }
        let gap = Int((window / events.count) / .milliseconds(1))
        for fault in events {
            try await Task.sleep(for: .milliseconds(gap / 2 + random.next(below: gap)))
            switch fault {
            case .kill:
                try await killOne(&random)
            case .apiRestart:
                monitor.disrupted("API server restarting", lasting: true)
                try await environment.plane.restartAPIServer()
                monitor.disrupted("API server restarted")
                counts.withLock { $0.apiRestarts += 1 }
            case .cut:
                monitor.disrupted("connections cut")
                let cut = environment.proxy.cutAll()
                counts.withLock {
                    $0.cuts += 1
                    $0.connectionsCut += cut
                }
            }
        }
    }

    /// SIGKILLs the leader (every other kill) or a random running replica, and starts it
    /// again 1-3 s later.
    private func killOne(_ random: inout SeededRandom) async throws {
        let wantLeader = counts.withLock { $0.kills % 2 == 0 }
        while true {
            let leader = try await persist { try await environment.leader() }
            let running = environment.replicas.filter(\.isRunning)
            guard
                let victim = wantLeader ? (leader ?? running.first) : running.randomElement(using: &random)
            else {
                try await Task.sleep(for: .milliseconds(200))
                continue
            }
            if victim === leader { monitor.disrupted("\(victim.settings.name) (the leader) killed") }
            guard victim.kill() else { continue }
            counts.withLock {
                $0.kills += 1
                if victim === leader { $0.leaderKills += 1 }
            }
            try await Task.sleep(for: .milliseconds(1000 + random.next(below: 2000)))
            try victim.start()
            return
        }
    }

    /// Starts replicas that exited by themselves again, until cancelled.
    func superviseReplicas() async {
        while !Task.isCancelled {
            for replica in environment.replicas where (try? replica.restartIfExited()) == true {
                counts.withLock { $0.exits += 1 }
            }
            try? await Task.sleep(for: .milliseconds(300))
        }
    }
}
