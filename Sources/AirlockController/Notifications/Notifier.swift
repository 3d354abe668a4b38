import AirlockAPI
import AirlockChat
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import Metrics
import Synchronization

/// Delivers what ActionRequests announce to chat and event webhooks — the Slack and Teams
/// approval cards, their updates and replies, CloudEvents to webhooks — without ever holding up a
/// reconcile: it has its own work queue and workers, fed by the ActionRequest informer the
/// lifecycle controller already runs (this controller runs no informer of its own).
///
/// Level-based: for a key it reads the request from the cache, asks ``DeliveryPlanner`` what is
/// due, performs it, and records the outcome in `status.notifications` (with the
/// resourceVersion; a conflict re-reads and merges its own entries, the only part of the status
/// it writes). Exactly once for the card, across crashes and leader changes: the attempt is
/// written *before* `chat.postMessage`, and an attempt found without a message reference is
/// looked up by the card's metadata before posting again; Slack thread replies likewise (claimed
/// in `repliesInDoubt`, looked up in the thread). Card updates are idempotent, events at least
/// once (their ids let receivers de-duplicate).
///
/// Failures back off per target (`retryAt`, ``ChatConfiguration/retry``); Slack's 429 pauses
/// every Slack call until its `Retry-After`. Nothing here decides anything about the request:
/// while Slack is down, requests stay Pending and reviewable with kubectl.
public final class Notifier: ManagedController {
    public let name = "notifier"
    public let queue: WorkQueue<ObjectKey, AnyWallClock>
    let requests: Store<ActionRequest>
    let client: KubernetesClient
    public let configuration: ChatConfiguration
    let planner: DeliveryPlanner
    let webhooks: EventWebhookClient
    let workflows: TeamsWorkflowsClient
    let secrets: SecretCache
    let clock: AnyWallClock
    let logger: Logger
    /// Per request, the resourceVersions our last writes replaced: while the cache shows one,
    /// it is behind our own write, whose watch event wakes the key again.
    let superseded = Mutex<[ObjectKey: Set<String>]>([:])
    /// Slack asked us to wait (HTTP 429) until then.
    let slackPausedUntil = Mutex<Date?>(nil)
    /// The Bot Connector asked us to wait (HTTP 429) until then.
    let teamsPausedUntil = Mutex<Date?>(nil)
    let delivered: Counter
    let failed: Counter

    public init(
        requests: Informer<ActionRequest>, client: KubernetesClient, configuration: ChatConfiguration,
        webhooks: EventWebhookClient = EventWebhookClient(), workflows: TeamsWorkflowsClient = TeamsWorkflowsClient(),
        clock: AnyWallClock = .system, logger: Logger
    ) {
        self.requests = requests.store
        self.client = client
        self.configuration = configuration
        self.planner = DeliveryPlanner(
            slackConfigured: configuration.slack != nil, teamsConfigured: configuration.teams != nil,
            endingSoonLead: configuration.endingSoonLead.seconds)
        self.webhooks = webhooks
        self.workflows = workflows
        self.secrets = SecretCache(
            client: client, namespace: configuration.namespace, ttl: configuration.secretTTL, clock: clock)
        self.clock = clock
        var logger = logger
        logger[metadataKey: "controller"] = "notifier"
        self.logger = logger
        self.queue = WorkQueue(name: "notifier", maxDepth: 100_000, clock: clock)
        self.delivered = Counter(label: "airlock_notifications_total", dimensions: [("result", "delivered")])
        self.failed = Counter(label: "airlock_notifications_total", dimensions: [("result", "failed")])
        let queue = self.queue
        requests.addHandler { change in
            if case .deleted = change {
                await queue.add(change.key)
            } else if Self.concerns(change.object) {
                await queue.add(change.key)
            }
        }
    }

    /// Whether a request has anything to notify: recipients in its decision, or delivery state.
    static func concerns(_ request: ActionRequest) -> Bool {
        guard let status = request.status else { return false }
        return status.decision?.notify?.isEmpty == false || status.notifications?.isEmpty == false
    }

    // MARK: ManagedController

    public var hasSynced: Bool { requests.hasSynced }

    /// The informer is the lifecycle controller's: nothing to run here.
    public func runInformers() async {}

    public func runWorkers() async {
        do {
            try await requests.waitUntilSynced()
        } catch {
            return
        }
        logger.info("starting \(configuration.workers) notification workers")
        await withDiscardingTaskGroup { group in
            for _ in 0..<max(1, configuration.workers) { group.addTask { await self.work() } }
        }
    }

    public func stopIntake() async {
        await queue.shutDown()
    }

    /// Schedules a look at `key` (tests; a click that should show at once).
    public func enqueue(_ key: ObjectKey) async {
        await queue.add(key)
    }

    private func work() async {
        while let key = await queue.get() {
            do {
                let result = try await reconcile(key)
                await queue.forget(key)
                if case .requeue(let delay, _) = result { await queue.add(key, after: delay) }
            } catch {
                if Task.isCancelled {
                    await queue.done(key)
                    return
                }
                let delay = await queue.addRateLimited(key)
                if (error as? KubernetesError)?.isConflict == true {
                    logger.debug("notification state of \(key) changed meanwhile; again in \(delay)")
                } else {
                    logger.warning("notifying about \(key) failed, retry in \(delay): \(error)")
                }
            }
            await queue.done(key)
        }
    }

    // MARK: One pass

    /// Plans, records the card posts about to be attempted, delivers, records the outcome.
    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let cached = requests.get(key) else {
            superseded.withLock { _ = $0.removeValue(forKey: key) }
            return .done
        }
        let version = cached.metadata.resourceVersion ?? ""
        let stale = superseded.withLock { known in
            if known[key]?.contains(version) == true { return true }
            known.removeValue(forKey: key)
            return false
        }
        if stale || cached.metadata.deletionTimestamp != nil { return .done }
        let now = clock.date
        let plan = planner.plan(
            cached, now: now, slackPausedUntil: slackPausedUntil.withLock { $0 },
            teamsPausedUntil: teamsPausedUntil.withLock { $0 })
        if plan.isEmpty { return wake(plan.wakeAt) }

        var request = cached
        var replaced: Set<String> = [version]
        if plan.needsClaim {
            // Write-ahead: a card post or Slack thread reply is recorded before it is made, so a
            // later pass that finds it unrecorded looks it up instead of posting it twice.
            // On a conflict the plan is stale: the worker backs off and plans again.
            var claim = request
            claim.status?.notifications = Self.claim(plan, in: request.status?.notifications ?? [], now: now)
            request = try await client.updateStatus(claim)
            // Until the claim's watch event arrives, the cached copy is behind it.
            superseded.withLock { [version] in $0[key] = [version] }
            replaced.insert(request.metadata.resourceVersion ?? "")
        }

        let states = request.status?.notifications ?? []
        let claimed = request
        let outcomes = await withTaskGroup(of: NotificationState.self) { group in
            for target in plan.targets {
                let state = Self.state(in: states, target)
                group.addTask { await self.deliver(target, state: state, request: claimed, now: now) }
            }
            var outcomes: [NotificationState] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let written = try await record(outcomes, on: request)
        replaced.insert(request.metadata.resourceVersion ?? "")
        replaced.remove(written.metadata.resourceVersion ?? "")
        superseded.withLock { $0[key] = replaced }
        let next = planner.plan(
            written, now: clock.date, slackPausedUntil: slackPausedUntil.withLock { $0 },
            teamsPausedUntil: teamsPausedUntil.withLock { $0 })
        // Anything still due now waits for our write's watch event (or its retryAt).
        return wake(next.wakeAt)
    }

    private func deliver(
        _ target: DeliveryPlan.Target, state: NotificationState, request: ActionRequest, now: Date
    ) async -> NotificationState {
        switch target.channel {
        case AirlockConstants.Channel.slack:
            return await deliverSlack(target, state: state, request: request, now: now)
        case AirlockConstants.Channel.teams:
            return await deliverTeams(target, state: state, request: request, now: now)
        case AirlockConstants.Channel.teamsWebhook:
            return await deliverWorkflows(target, state: state, request: request, now: now)
        default:
            return await deliverEvents(target, state: state, request: request, now: now)
        }
    }

    private func wake(_ date: Date?) -> ReconcileResult {
        date.map { .requeue(after: clock.wakeDelay(toward: $0) + .milliseconds(1)) } ?? .done
    }

    // MARK: State entries

    /// `states` with the card posts and Slack thread replies of `plan` marked as in doubt.
    public static func claim(_ plan: DeliveryPlan, in states: [NotificationState], now: Date) -> [NotificationState] {
        var claimed = states
        for target in plan.targets where target.postsCard || !target.claimedReplies.isEmpty {
            var state = Self.state(in: claimed, target)
            if target.postsCard {
                state.attempts += 1
                state.lastAttemptAt = now
                state.inDoubt = true
            }
            let replies = target.claimedReplies.filter { !(state.repliesInDoubt ?? []).contains($0) }
            if !replies.isEmpty { state.repliesInDoubt = (state.repliesInDoubt ?? []) + replies }
            Self.put(state, into: &claimed)
        }
        return claimed
    }

    /// The target's entry in `states`, or a new one.
    static func state(in states: [NotificationState], _ target: DeliveryPlan.Target) -> NotificationState {
        states.first { $0.channel == target.channel && $0.target == target.target }
            ?? NotificationState(channel: target.channel, target: target.target)
    }

    /// Replaces the entry of the same channel and target, or appends it.
    static func put(_ state: NotificationState, into states: inout [NotificationState]) {
        if let index = states.firstIndex(where: { $0.channel == state.channel && $0.target == state.target }) {
            states[index] = state
        } else {
            states.append(state)
        }
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`.
    var seconds: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
