import AirlockAPI
import AirlockIdentity
import AirlockPolicy
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import ServiceLifecycle

/// Settings of the whole operator.
public struct OperatorConfiguration: Sendable {
    public var controllerNamespace: String
    /// The controller's own username (`system:serviceaccount:<ns>:<name>` in a pod).
    public var controllerUsername: String
    public var policy: PolicyConfiguration
    public var credentialEndpoint: CredentialEndpoint
    public var sweepInterval: Duration
    public var workers: Int
    /// Nil: no leader election (a single replica, or tests).
    public var leaderElection: LeaderElectionConfiguration?
    public var auditFile: String?
    /// Watch requests and reviews in this namespace only (nil: every namespace).
    public var requestNamespace: String?
    /// The webhook configurations as they must be; when set, the controller watches them and
    /// does not act on what was created while they were missing or altered.
    public var webhookIntegrity: ExpectedWebhooks?
    /// Chat and event delivery (Slack, event webhooks); nil: none.
    public var chat: ChatConfiguration?
    /// How fast Kubernetes Events are sent (nil: as fast as the API server answers). Set
    /// after `init`.
    public var eventRateLimit: ClientConfiguration.RateLimit?

    public init(
        controllerNamespace: String, controllerUsername: String, policy: PolicyConfiguration,
        credentialEndpoint: CredentialEndpoint, sweepInterval: Duration = .seconds(30), workers: Int = 4,
        leaderElection: LeaderElectionConfiguration? = nil, auditFile: String? = nil, requestNamespace: String? = nil,
        webhookIntegrity: ExpectedWebhooks? = nil, chat: ChatConfiguration? = nil
    ) {
        self.controllerNamespace = controllerNamespace
        self.controllerUsername = controllerUsername
        self.policy = policy
        self.credentialEndpoint = credentialEndpoint
        self.sweepInterval = sweepInterval
        self.workers = workers
        self.leaderElection = leaderElection
        self.auditFile = auditFile
        self.requestNamespace = requestNamespace
        self.webhookIntegrity = webhookIntegrity
        self.chat = chat
    }
}

/// Airlock's controllers wired together, in one place: informers for requests, reviews and
/// policies; the ActionRequest controller; the grant sweeper; the event recorder; leader
/// election. `run()` runs them until cancelled or graceful shutdown.
public final class AirlockOperator: Service {
    public let manager: ControllerManager
    public let controller: Controller<ActionRequest>
    public let sweeper: GrantSweeper
    public let events: EventRecorder
    public let reviews: Informer<ActionReview>
    public let policies: Informer<ApprovalPolicy>
    /// Chat and event delivery, when configured.
    public let notifier: Notifier?

    /// What the webhook-configuration watch found (nil when it is not watched).
    public let integrity: AdmissionIntegrity?

    public init(
        client: KubernetesClient, signer: IdentitySigner, configuration: OperatorConfiguration,
        clock: AnyWallClock = .system, logger: Logger
    ) throws {
        let scope = configuration.requestNamespace
        let requests = Informer(client: client, ActionRequest.self, namespace: scope, logger: logger)
        let reviews = Informer(client: client, ActionReview.self, namespace: scope, logger: logger)
        let policies = Informer(client: client, ApprovalPolicy.self, logger: logger)
        let instance = configuration.leaderElection?.identity ?? ProcessInfo.processInfo.hostName
        var pace: (@Sendable () async throws -> Void)?
        if let limit = configuration.eventRateLimit {
            let limiter = RateLimiter(qps: limit.qps, burst: limit.burst, clock: ContinuousClock())
            pace = { try await limiter.acquire() }
        }
        let events = EventRecorder(
            client: client, controller: "airlock.dev/controller", instance: instance,
            labels: [AirlockConstants.Label.managedBy: AirlockConstants.Label.managedByValue], pace: pace,
            logger: logger)
        let audit = AuditTrail(file: try configuration.auditFile.map { try AuditLog(path: $0) })
        let integrity = configuration.webhookIntegrity.map { AdmissionIntegrity(margin: $0.margin) }
        let reconciler = ActionRequestReconciler(
            client: client, requests: requests.store, reviews: reviews.store, policies: policies.store,
            evaluator: PolicyEvaluator(configuration: configuration.policy), signer: signer, events: events,
            audit: audit,
            configuration: ActionRequestReconcilerConfiguration(
                controllerUsername: configuration.controllerUsername,
                credentialEndpoint: configuration.credentialEndpoint),
            integrity: integrity, clock: clock, logger: logger)
        // Grants due to end go before new work, also those that came due while no controller
        // ran or while this replica stood by.
        let controller = Controller(
            name: "actionrequest", primary: requests, reconciler: reconciler, workers: configuration.workers,
            clock: clock,
            dueAt: { request in
                guard request.status?.phase == .granted, let expiresAt = request.status?.expiresAt else { return nil }
                return ActionRequestLifecycle.revocationTime(of: expiresAt)
            }, logger: logger)
        controller.watches(reviews) { review in
            [ObjectKey(namespace: review.metadata.namespace, name: review.spec.request)]
        }
        // A changed policy re-evaluates every request still waiting for a decision.
        let requestStore = requests.store
        controller.watches(policies) { _ in
            requestStore.list().filter { ($0.status?.phase ?? .pending) == .pending }.map(\.key)
        }
        let sweeper = GrantSweeper(
            client: client, requests: requests.store, requestNamespace: scope, interval: configuration.sweepInterval,
            clock: clock, logger: logger)
        let elector = configuration.leaderElection.map {
            LeaderElector(client: client, configuration: $0, clock: clock, logger: logger)
        }
        var controllers: [any ManagedController] = [controller, sweeper]
        let notifier = configuration.chat.map {
            Notifier(requests: requests, client: client, configuration: $0, clock: clock, logger: logger)
        }
        if let notifier { controllers.append(notifier) }
        if let expected = configuration.webhookIntegrity, let integrity {
            let mutating = Informer(
                client: client, MutatingWebhookConfiguration.self,
                fieldSelector: "metadata.name=\(expected.mutating.metadata.name ?? "")", logger: logger)
            let validating = Informer(
                client: client, ValidatingWebhookConfiguration.self,
                fieldSelector: "metadata.name=\(expected.validating.metadata.name ?? "")", logger: logger)
            let watch = WebhookIntegrityWatch(
                expected: expected, integrity: integrity, mutating: mutating.store, validating: validating.store,
                requests: requests.store, clock: clock, events: events, logger: logger)
            controller.watches(mutating) { _ in watch.check() }
            controller.watches(validating) { _ in watch.check() }
            controllers.append(watch)
        }
        self.manager = ControllerManager(controllers: controllers, elector: elector, logger: logger)
        self.integrity = integrity
        self.controller = controller
        self.sweeper = sweeper
        self.events = events
        self.reviews = reviews
        self.policies = policies
        self.notifier = notifier
    }

    /// Ready when every cache has synced (leader or standby).
    public var isReady: Bool { manager.isReady }

    public func run() async {
        let events = self.events
        let recorder = Task { await events.run() }
        await manager.run()
        // Flush what is queued, but never hold up shutdown for long (the API server may be gone).
        events.finish()
        let deadline = Task {
            try? await Task.sleep(for: .seconds(2))
            recorder.cancel()
        }
        await recorder.value
        deadline.cancel()
    }
}
