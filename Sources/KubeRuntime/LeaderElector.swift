import Foundation
import KubeClient
import KubeCore
import Logging
import Metrics

/// Leader election on a Lease: acquire, renew, release on graceful shutdown.
///
/// `run(whileLeading:)` loops until cancelled: it acquires the Lease (every `retryPeriod`),
/// then runs `whileLeading` in a child task and keeps renewing. If renewing does not succeed
/// within `renewDeadline` (a renewal still hanging then is given up), leadership is lost: the
/// child task is cancelled at once (stop reconciling), and the elector goes back to acquiring.
/// On cancellation it cancels the child, waits for it, and releases the Lease so a standby
/// takes over without waiting.
public actor LeaderElector {
    public let configuration: LeaderElectionConfiguration
    private let client: KubernetesClient
    private let logger: Logger
    private let leaderGauge: Gauge
    private let clock: AnyWallClock
    public private(set) var isLeader = false

    public init(
        client: KubernetesClient, configuration: LeaderElectionConfiguration, clock: AnyWallClock = .system,
        logger: Logger
    ) {
        self.client = client
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
        self.leaderGauge = Gauge(label: "airlock_leader")
        leaderGauge.record(0)
    }

    /// Runs until cancelled or until `whileLeading` returns by itself; `whileLeading` runs
    /// only while this process holds the Lease and must return promptly when cancelled.
    public func run(whileLeading: @escaping @Sendable () async -> Void) async {
        while !Task.isCancelled {
            guard await acquire() else { break }
            setLeader(true)
            // Whichever ends first: the work (shutdown) or the renewals (lease lost or cancelled).
            let workEnded = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await whileLeading()
                    return true
                }
                group.addTask {
                    await self.keepRenewing()
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()  // stop reconciling at once when the lease is lost
                await group.waitForAll()
                return first
            }
            setLeader(false)
            if workEnded || Task.isCancelled { break }
            logger.warning("lost leadership of lease \(configuration.namespace)/\(configuration.leaseName)")
        }
        // This task may be cancelled, and so would its requests be: release from a fresh one.
        await Task { await self.release() }.value
    }

    private func setLeader(_ leader: Bool) {
        isLeader = leader
        leaderGauge.record(leader ? 1 : 0)
        logger.info(
            "\(leader ? "became" : "is no longer") leader",
            metadata: [
                "lease": "\(configuration.namespace)/\(configuration.leaseName)",
                "identity": "\(configuration.identity)",
            ])
    }

    /// Tries every retryPeriod until the Lease is ours; false when cancelled first.
    private func acquire() async -> Bool {
        while !Task.isCancelled {
            if await tryAcquireOrRenew() { return true }
            do { try await clock.sleep(for: configuration.retryPeriod) } catch { return false }
        }
        return false
    }

    /// Renews every retryPeriod; returns (leadership lost) once renewDeadline has passed since
    /// the last renewal began, or when cancelled. An attempt still running then is abandoned:
    /// a renewal that hangs (an API server starting up, a black-holed path) must not keep this
    /// process leading after a standby may have taken the Lease over.
    ///
    /// The deadline counts from when the last successful attempt *began* — the renew time it
    /// wrote was read then — not from when its answer came back, so a slow answer does not
    /// stretch this side's view of the Lease beyond the standbys'.
    private func keepRenewing() async {
        var lastRenewal = clock.now
        var began = lastRenewal
        while !Task.isCancelled {
            // Attempts start every retryPeriod, however long the last one took.
            do { try await clock.sleep(until: began.advanced(by: configuration.retryPeriod)) } catch { return }
            began = clock.now
            let deadline = lastRenewal.advanced(by: configuration.renewDeadline)
            guard began < deadline else { return }
            switch await renew(before: deadline) {
            case true: lastRenewal = began
            case false: if clock.now >= deadline { return }
            case nil: return
            }
        }
    }

    /// One renewal attempt, abandoned (cancelled) at `deadline`: true when it renewed, false
    /// when it failed, nil when the deadline came first.
    private func renew(before deadline: ManualClock.Instant) async -> Bool? {
        let clock = self.clock
        return await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await self.tryAcquireOrRenew() }
            group.addTask {
                do { try await clock.sleep(until: deadline, tolerance: nil) } catch { return false }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// One read-decide-write round; true when we hold the Lease afterwards.
    func tryAcquireOrRenew() async -> Bool {
        let name = configuration.leaseName
        let namespace = configuration.namespace
        do {
            var current: Lease?
            do {
                current = try await client.get(Lease.self, name: name, namespace: namespace)
            } catch let error as KubernetesError where error.isNotFound {
                current = nil
            }
            switch LeaseDecision.decide(
                lease: current, identity: configuration.identity, now: clock.date,
                leaseDuration: configuration.leaseDuration, predecessorPrefix: configuration.predecessorPrefix)
            {
            case .wait:
                return false
            case .create(let spec):
                _ = try await client.create(Lease(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec))
                return true
            case .update(let spec):
                guard var lease = current else { return false }
                lease.spec = spec
                _ = try await client.update(lease)  // resourceVersion guards against a second winner
                return true
            }
        } catch let error as KubernetesError where error.isConflict || error.isAlreadyExists {
            return false
        } catch {
            logger.warning("lease \(namespace)/\(name): \(error)")
            return false
        }
    }

    /// Gives the Lease up (holder cleared) so another candidate takes it at once.
    private func release() async {
        do {
            var lease = try await client.get(
                Lease.self, name: configuration.leaseName, namespace: configuration.namespace)
            guard lease.spec?.holderIdentity == configuration.identity else { return }
            lease.spec?.holderIdentity = nil
            lease.spec?.leaseDurationSeconds = 1
            lease.spec?.renewTime = clock.date
            _ = try await client.update(lease)
            logger.info("released lease \(configuration.namespace)/\(configuration.leaseName)")
        } catch {
            logger.warning("could not release lease: \(error)")
        }
    }
}
