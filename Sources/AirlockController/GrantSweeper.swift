import AirlockAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import Metrics
import Synchronization

/// The backstop that keeps grants from outliving a controller crash: at start and every
/// `interval` it lists every managed object cluster-wide and deletes those whose expiry has
/// passed, whose request is gone (or is another object now), whose request has finished, or
/// whose request is not Granted although the object is older than `grace` (left by a grant
/// attempt a crash interrupted before the request was decided again).
///
/// Expiry is the lifecycle's job, on time; the sweeper removes an expired object only once
/// `expiryGrace` has passed too, so the two do not race to delete the same objects.
///
/// It runs with the workers, on the leader only.
public final class GrantSweeper: ManagedController {
    public let name = "grant-sweeper"
    private let client: KubernetesClient
    private let requests: Store<ActionRequest>
    private let selector: String
    private let interval: Duration
    /// Objects listed per page. Small pages of metadata keep a pass from holding the API
    /// server and this process for long: grants coming due are revoked between two pages.
    private let pageSize: Int
    /// The pause between two pages (real time, however the clock is set): a pass over a few
    /// thousand objects is spread over a second or so instead of loading both processes at once.
    private let pagePause: Duration
    private let grace: TimeInterval
    private let expiryGrace: TimeInterval
    private let clock: AnyWallClock
    private let logger: Logger
    private let revoker: GrantRevoker
    private let swept = Counter(label: "airlock_sweeper_deleted_total")
    private let loop = Mutex<Task<Void, Never>?>(nil)

    public init(
        client: KubernetesClient, requests: Store<ActionRequest>, requestNamespace: String? = nil,
        interval: Duration = .seconds(30), grace: TimeInterval = 120, expiryGrace: TimeInterval = 2,
        pageSize: Int = 100, pagePause: Duration = .milliseconds(20), clock: AnyWallClock = .system,
        logger: Logger
    ) {
        self.client = client
        self.pageSize = pageSize
        self.pagePause = pagePause
        self.requests = requests
        // A namespace-scoped controller sweeps only the grants of its own requests.
        // Only grant objects: they carry the request's uid. Airlock's own objects (signing key,
        // webhook certificate) are managed by Airlock too, but are no grant.
        self.selector = [AirlockConstants.Label.managedBySelector, AirlockConstants.Label.requestUID]
            .appending(requestNamespace.map { "\(AirlockConstants.Label.requestNamespace)=\($0)" })
            .joined(separator: ",")
        self.interval = interval
        self.grace = grace
        self.expiryGrace = expiryGrace
        self.clock = clock
        self.logger = logger
        self.revoker = GrantRevoker(client: client, logger: logger)
    }

    public var hasSynced: Bool { true }
    public func runInformers() async {}

    /// Ends the sweep loop (a sweep in progress is cancelled; the next leader sweeps at start).
    public func stopIntake() async {
        loop.withLock { $0?.cancel() }
    }

    public func runWorkers() async {
        let task = Task { await sweepLoop() }
        loop.withLock { $0 = task }
        await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
    }

    private func sweepLoop() async {
        do { try await requests.waitUntilSynced() } catch { return }
        while !Task.isCancelled {
            do {
                let deleted = try await sweepOnce()
                if deleted > 0 { logger.info("sweeper removed \(deleted) stale grant objects") }
            } catch {
                if Task.isCancelled { return }
                logger.warning("sweep failed: \(error)")
            }
            do { try await clock.sleep(for: interval) } catch { return }
        }
    }

    /// One pass; returns how many objects it deleted.
    @discardableResult
    public func sweepOnce() async throws -> Int {
        var deleted = 0
        deleted += try await sweep(RoleBinding.self)
        deleted += try await sweep(ClusterRoleBinding.self)
        deleted += try await sweep(Role.self)
        deleted += try await sweep(ClusterRole.self)
        deleted += try await sweep(Secret.self)
        deleted += try await sweep(ServiceAccount.self)
        swept.increment(by: deleted)
        return deleted
    }

    private func sweep<R: KubeResource>(_ type: R.Type) async throws -> Int {
        var options = ListOptions(labelSelector: selector, limit: pageSize)
        var deleted = 0
        while true {
            let page = try await client.listMetadata(R.self, options: options)
            // Indexed once per page: looking each object's request up among all of them cost
            // O(objects × requests) and stalled expiries by a second with a few thousand of each.
            let requests = requestsByUID()
            for meta in page.items {
                guard let reason = staleReason(meta, requests: requests) else { continue }
                logger.info("sweeping \(R.kind) \(meta.namespace.map { "\($0)/" } ?? "")\(meta.name ?? ""): \(reason)")
                try await revoker.delete(R.self, meta)
                deleted += 1
            }
            guard let next = page.metadata.continue, !next.isEmpty else { return deleted }
            options.continue = next
            try await Task.sleep(for: pagePause)
        }
    }

    /// The cached requests by uid.
    private func requestsByUID() -> [String: ActionRequest] {
        var byUID: [String: ActionRequest] = [:]
        for request in self.requests.snapshot().objects {
            if let uid = request.metadata.uid { byUID[uid] = request }
        }
        return byUID
    }

    /// Why an object must go, or nil if its grant is still live (`requests`: the cached
    /// requests by uid).
    ///
    /// An object that a Granted request records (same uid) ends when that grant ends: it may
    /// have been made by an earlier attempt at the grant that a crash or a lost status write
    /// kept from being recorded, and adopted since — its annotation then names that attempt's
    /// earlier expiry, and sweeping by it ended access early, after which the next pass made
    /// the object again (found by the chaos test, issue 14).
    func staleReason(_ meta: ObjectMeta, requests: [String: ActionRequest]) -> String? {
        let labels = meta.labels ?? [:]
        let request = labels[AirlockConstants.Label.requestUID].flatMap { requests[$0] }.flatMap { request in
            request.metadata.namespace == labels[AirlockConstants.Label.requestNamespace] ? request : nil
        }
        if let status = request?.status, status.phase == .granted, let expiresAt = status.expiresAt,
            status.grants?.contains(where: { $0.uid != nil && $0.uid == meta.uid }) == true
        {
            return expiresAt.addingTimeInterval(expiryGrace) <= clock.date
                ? "expired at \(RFC3339.format(expiresAt, fractional: false))" : nil
        }
        if let text = meta.annotations?[AirlockConstants.Annotation.expiresAt] {
            guard let expiresAt = RFC3339.parse(text) else { return "unreadable expiry \(text)" }
            if expiresAt.addingTimeInterval(expiryGrace) <= clock.date { return "expired at \(text)" }
        }
        guard labels[AirlockConstants.Label.requestNamespace] != nil, labels[AirlockConstants.Label.requestUID] != nil
        else { return "no request labels" }
        guard let request else { return "its request is gone" }
        let phase = request.status?.phase ?? .pending
        if phase.isTerminal { return "its request is \(phase.rawValue)" }
        if phase != .granted, let created = meta.creationTimestamp, clock.date.timeIntervalSince(created) > grace {
            return "its request is \(phase.rawValue), not Granted"
        }
        return nil
    }
}

extension Array {
    fileprivate func appending(_ element: Element?) -> [Element] {
        guard let element else { return self }
        return self + [element]
    }
}
