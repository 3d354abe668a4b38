import AirlockAPI
import AirlockAdmission
import AirlockController
import AirlockIdentity
import AirlockPolicy
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Logging
import Synchronization

/// Airlock as users meet it, on the shared real API server: the admission webhook (served in
/// process, registered for this fixture's namespace only), the controller (as the `controller`
/// user with exactly the ClusterRole of manifests/rbac.yaml), and people bound to the
/// manifests' own roles:
/// - `alice` and `dave`: `airlock-requester` (agents and their authors);
/// - `bob` and `carol`: `airlock-reviewer`.
///
/// Nothing is stamped by the test itself: every identity comes from the webhook.
final class AirlockFixture: Sendable {
    static let webhookLabel = "airlock.dev/fixture"

    let plane: TestControlPlane
    let admin: KubernetesClient
    let id: String
    /// Where requests and reviews live (the webhook applies here).
    let namespace: String
    /// Where grants give access.
    let target: String
    let signer: IdentitySigner
    let auditPath: String
    let airlock: AirlockOperator
    /// Faults the controller's client meets: see ``FaultPlan``.
    let faults: FaultPlan
    /// The controller's own client (shut down by `stop()`).
    let controllerClient: KubernetesClient
    /// What the controller runs with (``startController(identity:)`` starts more like it).
    let configuration: OperatorConfiguration
    let logger: Logger
    let tasks: Mutex<[Task<Void, any Error>]>

    /// Adjusts the controller's configuration before it starts (chat, leader election), with
    /// the controller's client and the fixture's namespace.
    typealias Configure = @Sendable (inout OperatorConfiguration, KubernetesClient, String) async throws -> Void

    private init(
        plane: TestControlPlane, id: String, namespace: String, target: String, signer: IdentitySigner,
        auditPath: String, airlock: AirlockOperator, faults: FaultPlan, controllerClient: KubernetesClient,
        configuration: OperatorConfiguration, logger: Logger, tasks: [Task<Void, any Error>]
    ) {
        self.plane = plane
        self.admin = plane.adminClient
        self.id = id
        self.namespace = namespace
        self.target = target
        self.signer = signer
        self.auditPath = auditPath
        self.airlock = airlock
        self.faults = faults
        self.controllerClient = controllerClient
        self.configuration = configuration
        self.logger = logger
        self.tasks = Mutex(tasks)
    }

    /// Runs `body` with a running Airlock; always stops it and unregisters the webhooks. With
    /// `verifyWebhooks`, the controller watches the fixture's webhook configurations.
    static func with(
        _ prefix: String, verifyWebhooks: Bool = false, configure: Configure? = nil,
        _ body: (AirlockFixture) async throws -> Void
    ) async throws {
        let fixture = try await start(prefix, verifyWebhooks: verifyWebhooks, configure: configure)
        do {
            try await body(fixture)
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }

    static func start(
        _ prefix: String, verifyWebhooks: Bool = false, configure: Configure? = nil
    ) async throws -> AirlockFixture {
        let plane = try await TestControlPlane.shared()
        let admin = plane.adminClient
        try await LifecycleFixture.grantControllerRBAC(admin)
        try await installUserRoles(admin)
        let id = String((0..<6).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
        let namespace = "\(prefix)-\(id)"
        let target = "\(prefix)-\(id)-target"
        _ = try await admin.create(Namespace(name: namespace, labels: [webhookLabel: id]))
        _ = try await admin.create(Namespace(name: target))
        for (user, role) in [
            ("alice", "airlock-requester"), ("dave", "airlock-requester"), ("bob", "airlock-reviewer"),
            ("carol", "airlock-reviewer"),
        ] {
            _ = try await admin.create(
                RoleBinding(
                    metadata: ObjectMeta(name: "\(user)-\(role)", namespace: namespace), subjects: [.user(user)],
                    roleRef: RoleRef(kind: "ClusterRole", name: "\(role)-test")))
        }

        var logger = Logger(label: "test.airlock.\(id)")
        logger.logLevel = ProcessInfo.processInfo.environment["AIRLOCK_TEST_LOG"] == nil ? .critical : .warning
        let signer = try await SigningKeySecret.loadOrCreate(client: admin, namespace: namespace)
        var tasks: [Task<Void, any Error>] = []
        let configurationName = "airlock-fixture-\(id)"
        let port = try await startWebhook(
            plane: plane, namespace: namespace, id: id, configurationName: configurationName, signer: signer,
            logger: logger, tasks: &tasks)
        var expected: ExpectedWebhooks?
        if verifyWebhooks {
            expected = ExpectedWebhooks(
                mutating: WebhookConfigurations.mutating(
                    name: configurationName, endpoint: .url("https://127.0.0.1:\(port)"),
                    namespaceSelector: selector(id)),
                validating: WebhookConfigurations.validating(
                    name: configurationName, endpoint: .url("https://127.0.0.1:\(port)"),
                    namespaceSelector: selector(id)),
                margin: 1)
            // What manifests/rbac.yaml grants for `airlock-webhook`, for this fixture's names.
            _ = try await admin.create(
                ClusterRole(
                    metadata: ObjectMeta(name: configurationName),
                    rules: [
                        PolicyRule(
                            apiGroups: ["admissionregistration.k8s.io"],
                            resources: ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"],
                            verbs: ["get", "list", "watch", "patch"], resourceNames: [configurationName])
                    ]))
            _ = try await admin.create(
                ClusterRoleBinding(
                    metadata: ObjectMeta(name: configurationName), subjects: [.user("controller")],
                    roleRef: RoleRef(kind: "ClusterRole", name: configurationName)))
        }

        let faults = FaultPlan()
        var configuration = try plane.clientConfiguration(as: "controller")
        configuration.interceptor = { request in try faults.intercept(request) }
        let controllerClient = try KubernetesClient(configuration: configuration)
        let auditPath = plane.directory.appendingPathComponent("airlock-audit-\(id).jsonl").path
        var operatorConfiguration = OperatorConfiguration(
            controllerNamespace: "airlock-system", controllerUsername: "controller",
            policy: PolicyConfiguration(controllerNamespace: "airlock-system"),
            credentialEndpoint: CredentialEndpoint(
                server: plane.server.absoluteString,
                certificateAuthorityPEM: Array(plane.certificateAuthority.certificatePEM.utf8)),
            sweepInterval: .seconds(3600), workers: 4, auditFile: auditPath, requestNamespace: namespace,
            webhookIntegrity: expected)
        try await configure?(&operatorConfiguration, controllerClient, namespace)
        let airlock = try AirlockOperator(
            client: controllerClient, signer: signer, configuration: operatorConfiguration, logger: logger)
        tasks.append(Task { await airlock.run() })
        let fixture = AirlockFixture(
            plane: plane, id: id, namespace: namespace, target: target, signer: signer, auditPath: auditPath,
            airlock: airlock, faults: faults, controllerClient: controllerClient, configuration: operatorConfiguration,
            logger: logger, tasks: tasks)
        do {
            try await fixture.waitUntilActive(port: port, configurationName: configurationName)
        } catch {
            await fixture.stop()
            throw error
        }
        return fixture
    }

    func stop() async {
        for kind in ["mutating", "validating"] {
            do {
                if kind == "mutating" {
                    try await admin.delete(MutatingWebhookConfiguration.self, name: "airlock-fixture-\(id)")
                } else {
                    try await admin.delete(ValidatingWebhookConfiguration.self, name: "airlock-fixture-\(id)")
                }
            } catch {}
        }
        for task in tasks.withLock({ $0 }) {
            task.cancel()
            _ = await task.result
        }
        try? await controllerClient.shutdown()
        try? FileManager.default.removeItem(atPath: auditPath)
    }

    // MARK: Set-up

    /// The manifests' requester and reviewer ClusterRoles, under test names.
    static func installUserRoles(_ admin: KubernetesClient) async throws {
        for name in ["airlock-requester", "airlock-reviewer"] {
            let object = try manifestObjects("manifests/rbac.yaml").first {
                $0["kind"] == "ClusterRole" && $0["metadata"]?["name"] == .string(name)
            }
            var role = try KubeJSON.decode(ClusterRole.self, from: KubeJSON.encode(object!))
            role.metadata.name = "\(name)-test"
            do { _ = try await admin.create(role) } catch let error as KubernetesError where error.isAlreadyExists {}
        }
    }

    static func startWebhook(
        plane: TestControlPlane, namespace: String, id: String, configurationName: String,
        signer: IdentitySigner, logger: Logger, tasks: inout [Task<Void, any Error>]
    ) async throws -> Int {
        let admin = plane.adminClient
        var policy = WebhookTLSPolicy.service(namespace: namespace, ipAddresses: ["127.0.0.1"])
        policy.caPromotionDelay = .seconds(2)
        let manager = WebhookCertificateManager(
            client: admin,
            configuration: .init(
                namespace: namespace, mutatingConfigurationName: configurationName,
                validatingConfigurationName: configurationName, policy: policy),
            logger: logger)
        let store = try await manager.bootstrap()
        let handler = AdmissionHandler(
            signer: signer, controllerUsername: "controller",
            lookUpRequest: AdmissionHandler.kubernetesLookup(client: admin))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try AdmissionWebhookServer.application(
            handler: handler, certificates: store, host: "127.0.0.1", port: 0, logger: logger,
            onListening: { continuation.yield($0) })
        tasks.append(Task { try await app.run() })
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            throw KubeTestingError(.startFailed, "the webhook server did not start")
        }
        let endpoint = WebhookConfigurations.Endpoint.url("https://127.0.0.1:\(port)")
        _ = try await admin.create(
            WebhookConfigurations.mutating(name: configurationName, endpoint: endpoint, namespaceSelector: selector(id))
        )
        _ = try await admin.create(
            WebhookConfigurations.validating(
                name: configurationName, endpoint: endpoint, namespaceSelector: selector(id)))
        try await manager.check()
        return port
    }

    /// The namespace selector of the fixture's webhook configurations.
    static func selector(_ id: String) -> JSONValue {
        ["matchLabels": [.init(stringLiteral: webhookLabel): .string(id)]]
    }

    /// Waits until the API server calls the webhook for this namespace, the controller's
    /// caches have synced, and the probe requests are gone (their finalizer is the controller's).
    private func waitUntilActive(port: Int, configurationName: String) async throws {
        try await eventually("the webhook to stamp requests", timeout: .seconds(30), interval: .milliseconds(200)) {
            var probe = ActionRequest(
                metadata: ObjectMeta(namespace: namespace),
                spec: ActionRequestSpec(
                    reason: "probe", duration: KubeDuration(seconds: 60),
                    permissions: [
                        PermissionRule(namespace: target, apiGroups: [""], resources: ["configmaps"], verbs: ["get"])
                    ]))
            probe.metadata.generateName = "probe-"
            do {
                let created = try await admin.create(probe)
                try await admin.delete(ActionRequest.self, name: created.metadata.name ?? "", namespace: namespace)
                return created.spec.requester?.signature != nil
            } catch let error as KubernetesError where error.code == 500 {
                return false
            }
        }
        try await eventually("the controller to be ready", timeout: .seconds(30)) { airlock.isReady }
        // A probe the controller saw before its deletion carries its finalizer until the
        // controller removes it: tests that list the namespace must not find one.
        try await eventually("the probes gone", timeout: .seconds(30), interval: .milliseconds(100)) {
            try await admin.listAll(ActionRequest.self, namespace: namespace).items.allSatisfy {
                $0.metadata.name?.hasPrefix("probe-") != true
            }
        }
    }

    // MARK: Acting as users

    func client(_ user: String) throws -> KubernetesClient { try plane.client(as: user) }

    /// Creates a request as `user`, through the webhook.
    @discardableResult
    func request(
        _ name: String, by user: String, duration: String = "10m", permissions: [PermissionRule]? = nil,
        roleRef: TargetRoleRef? = nil, credential: CredentialMode? = .subject, client: KubernetesClient? = nil
    ) async throws -> ActionRequest {
        let spec = ActionRequestSpec(
            reason: "attack test \(name)", duration: try KubeDuration(parsing: duration),
            permissions: permissions
                ?? (roleRef == nil
                    ? [
                        PermissionRule(
                            namespace: target, apiGroups: [""], resources: ["configmaps"], verbs: ["get"],
                            resourceNames: ["cm1"])
                    ] : nil),
            roleRef: roleRef, credential: credential)
        let caller = try client ?? self.client(user)
        return try await caller.create(
            ActionRequest(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec))
    }

    /// Creates a review as `user`, through the webhook.
    @discardableResult
    func review(
        _ request: String, by user: String, decision: ReviewDecision, name: String? = nil, comment: String? = nil,
        client: KubernetesClient? = nil
    ) async throws -> ActionReview {
        let review = ActionReview(
            metadata: ObjectMeta(
                name: name ?? "\(request)-\(user)-\(decision.rawValue.lowercased())", namespace: namespace),
            spec: ActionReviewSpec(request: request, decision: decision, comment: comment ?? "\(user) decides"))
        let caller = try client ?? self.client(user)
        return try await caller.create(review)
    }

    /// A cluster-scoped ApprovalPolicy limited to this fixture's namespace.
    func policy(_ suffix: String, _ spec: ApprovalPolicySpec) async throws {
        try await airlock.createPolicy(suffix, spec, namespace: namespace, admin: admin)
    }

    func get(_ name: String) async throws -> ActionRequest {
        try await admin.get(ActionRequest.self, name: name, namespace: namespace)
    }

    /// Waits for the request to reach `phase` and returns it.
    @discardableResult
    func waitFor(
        _ name: String, _ phase: ActionRequestPhase, timeout: Duration = .seconds(20)
    ) async throws
        -> ActionRequest
    {
        try await eventuallyValue("\(name) to be \(phase.rawValue)", timeout: timeout, interval: .milliseconds(50)) {
            let request = try await get(name)
            if let current = request.status?.phase, current != phase, current.isTerminal {
                throw KubeTestingError(
                    .other,
                    "\(name) is \(current.rawValue), not \(phase.rawValue): \(request.status?.conditions ?? [])")
            }
            return request.status?.phase == phase ? request : nil
        }
    }

    /// Every object labelled with the request's uid, as `Kind/namespace/name`.
    func grantObjects(uid: String) async throws -> [String] {
        let selector = ListOptions(labelSelector: "\(AirlockConstants.Label.requestUID)=\(uid)")
        var found: [String] = []
        func add<R: KubeResource>(_ type: R.Type) async throws {
            found += try await admin.listAll(R.self, options: selector).items.map { "\(R.kind)/\($0.key)" }
        }
        try await add(ServiceAccount.self)
        try await add(Secret.self)
        try await add(Role.self)
        try await add(RoleBinding.self)
        try await add(ClusterRole.self)
        try await add(ClusterRoleBinding.self)
        return found.sorted()
    }

    /// The records (each line's `record`) of the audit file's complete lines: a last line
    /// without its newline is one the controller is still appending (reading it mid-write made
    /// a test fail now and then).
    func auditRecords() throws -> [AuditRecord] {
        guard let data = FileManager.default.contents(atPath: auditPath) else { return [] }
        var lines = data.split(separator: 10, omittingEmptySubsequences: false)
        lines.removeLast()  // empty after a final newline; else the line being written
        return try lines.filter { !$0.isEmpty }.map { try KubeJSON.decode(AuditEntry.self, from: Data($0)).record }
    }
}
