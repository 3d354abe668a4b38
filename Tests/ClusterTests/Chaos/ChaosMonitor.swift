import AirlockAPI
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Synchronization

/// Watches a chaos run from outside: samples every grant object Airlock manages a few times a
/// second, and the Lease, and finds grants that outlive their expiry.
///
/// "Once a controller runs": after a disruption (the leader killed, the API server restarted),
/// the clock of the 5 s allowance starts again when a running replica has renewed the Lease
/// since. A grant seen at `t > max(expiresAt, availableSince) + 5 s` is a violation. An API
/// server restart lasts until it is ready (`/readyz`): it serves some requests before that (a
/// Lease renewal, say) while its authorizer still refuses others, deletes among them.
final class ChaosMonitor: Sendable {
    static let allowance: TimeInterval = 5
    /// Beyond the allowance, how late a binding is reported as access that outlived its expiry
    /// (any object late beyond the allowance is a violation already).
    static let hardLimit: TimeInterval = 10

    struct Grant: Hashable, Sendable {
        /// `Kind/namespace/name`.
        var key: String
        var uid: String
        var requestUID: String
        var expiresAt: Date?
    }

    struct State {
        /// Every uid seen per grant key, with when it was first and last seen: more than one
        /// is a grant made twice.
        var uids: [String: [String: ClosedRange<Date>]] = [:]
        /// Grant keys per request uid.
        var grantsOfRequest: [String: Set<String>] = [:]
        var lateGrants: [String: String] = [:]
        /// Bindings (access itself) seen more than ``hardLimit`` past the allowance.
        var accessOutlived: [String: String] = [:]
        /// The most a binding was seen past `max(expiresAt, availableSince)`, in seconds.
        var bindingLateness: TimeInterval = 0
        /// Which binding that was, and when (seconds after ``ChaosMonitor/started``).
        var latestBinding = ""
        var lastDisruption: Date?
        /// A disruption that lasts (an API server restarting): nothing is available until it ends.
        var disruptionLasts = false
        var availableSince: Date? = .distantPast
        var samples = 0
        var failedSamples = 0
        var longestOutage: TimeInterval = 0
        /// Disruptions and recoveries, in order: what a late grant followed.
        var timeline: [(date: Date, what: String)] = []
    }

    /// When monitoring began: the origin of the times in late-grant reports and the timeline.
    let started = Date()
    private let environment: ChaosEnvironment
    private let client: KubernetesClient
    private let state = Mutex(State())

    init(environment: ChaosEnvironment) throws {
        self.environment = environment
        var configuration = try environment.plane.clientConfiguration(as: "admin")
        configuration.maxRetries = 0
        configuration.requestTimeout = .seconds(2)
        configuration.rateLimit = nil
        self.client = try KubernetesClient(configuration: configuration)
    }

    var snapshot: State { state.withLock { $0 } }

    /// Something (`what`) stopped the leader or the API server at `date`; with `lasting`, it
    /// goes on until the next call.
    func disrupted(_ what: String, lasting: Bool = false, at date: Date = Date()) {
        state.withLock {
            $0.lastDisruption = date
            $0.disruptionLasts = lasting
            $0.availableSince = nil
            $0.timeline.append((date, what))
        }
    }

    /// Samples until cancelled.
    func run() async {
        while !Task.isCancelled {
            await sample()
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    func shutdown() async throws { try await client.shutdown() }

    func sample() async {
        let now = Date()
        do {
            try await updateAvailability(now: now)
            let grants = try await listGrants()
            state.withLock { state in
                state.samples += 1
                for grant in grants {
                    let seen = state.uids[grant.key]?[grant.uid].map { $0.lowerBound...now } ?? now...now
                    state.uids[grant.key, default: [:]][grant.uid] = seen
                    state.grantsOfRequest[grant.requestUID, default: []].insert(grant.key)
                    guard let expiresAt = grant.expiresAt, let since = state.availableSince else { continue }
                    let past = now.timeIntervalSince(max(expiresAt, since))
                    let late = past - Self.allowance
                    if grant.key.hasPrefix("RoleBinding/") || grant.key.hasPrefix("ClusterRoleBinding/") {
                        if past > state.bindingLateness {
                            state.bindingLateness = past
                            state.latestBinding =
                                "\(grant.key) at +\(String(format: "%.1f", now.timeIntervalSince(self.started))) s"
                        }
                        if late > Self.hardLimit, state.accessOutlived[grant.key] == nil {
                            state.accessOutlived[grant.key] =
                                "\(grant.key): access outlived its expiry by \(String(format: "%.1f", past)) s with a leader running"
                        }
                    }
                    if late > 0, state.lateGrants[grant.key] == nil {
                        state.lateGrants[grant.key] =
                            "\(grant.key) seen \(String(format: "%.1f", now.timeIntervalSince(expiresAt))) s after "
                            + "its expiry, \(String(format: "%.1f", now.timeIntervalSince(since))) s after a leader ran "
                            + "(at +\(String(format: "%.1f", now.timeIntervalSince(self.started))) s)"
                    }
                }
            }
        } catch {
            state.withLock { $0.failedSamples += 1 }
        }
    }

    /// Every grant object now (cluster-wide, by Airlock's label).
    func listGrants() async throws -> [Grant] {
        let options = ListOptions(labelSelector: AirlockConstants.Label.managedBySelector)
        var grants: [Grant] = []
        func add<R: KubeResource>(_ type: R.Type) async throws {
            for object in try await client.listAll(R.self, options: options).items
            where object.metadata.labels?[AirlockConstants.Label.requestUID] != nil {
                grants.append(
                    Grant(
                        key: "\(R.kind)/\(object.key)", uid: object.metadata.uid ?? "",
                        requestUID: object.metadata.labels?[AirlockConstants.Label.requestUID] ?? "",
                        expiresAt: object.metadata.annotations?[AirlockConstants.Annotation.expiresAt].flatMap(
                            RFC3339.parse)))
            }
        }
        try await add(RoleBinding.self)
        try await add(Role.self)
        try await add(ServiceAccount.self)
        try await add(Secret.self)
        try await add(ClusterRoleBinding.self)
        try await add(ClusterRole.self)
        return grants
    }

    /// After a disruption: available again once a running replica renewed the Lease since.
    private func updateAvailability(now: Date) async throws {
        let waiting = state.withLock { $0.availableSince == nil && !$0.disruptionLasts ? $0.lastDisruption : nil }
        guard let disruption = waiting else { return }
        let lease = try await environment.leaseState()
        guard let holder = lease.holder, let renewed = lease.renewed, renewed > disruption,
            environment.replicas.contains(where: { holder.hasPrefix($0.settings.name + "_") && $0.isRunning })
        else { return }
        state.withLock {
            // Another disruption while the Lease was read: that one decides.
            guard $0.lastDisruption == disruption, !$0.disruptionLasts else { return }
            $0.availableSince = now
            $0.longestOutage = max($0.longestOutage, now.timeIntervalSince(disruption))
            $0.timeline.append((now, "available again: \(holder) renewed the Lease"))
        }
    }
}
