import AirlockAPI
import AirlockController
import AirlockIdentity
import AirlockPolicy
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTesting
import Logging
import Synchronization
import Yams

/// The key every lifecycle test signs identities with (what the webhook does in production).
let lifecycleSigner = try! IdentitySigner(key: IdentitySigner.randomKey())

/// Loads the objects of a multi-document YAML manifest of the repository.
func manifestObjects(_ relativePath: String) throws -> [JSONValue] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let text = try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    return try Yams.load_all(yaml: text).map { document in
        let data = try JSONSerialization.data(withJSONObject: document)
        return try KubeJSON.decode(JSONValue.self, from: data)
    }
}

/// A running Airlock controller (as the `controller` user, with exactly the ClusterRole of
/// manifests/rbac.yaml) and a namespace of its own.
struct LifecycleFixture {
    let plane: TestControlPlane
    let admin: KubernetesClient
    let namespace: String
    let target: String
    let airlock: AirlockOperator
    let running: Task<Void, Never>

    static func start(
        _ prefix: String, sweepInterval: Duration = .seconds(3600), clock: AnyWallClock = .system
    ) async throws -> LifecycleFixture {
        let plane = try await TestControlPlane.shared()
        let admin = plane.adminClient
        try await grantControllerRBAC(admin)
        let namespace = try await plane.makeNamespace(prefix: prefix)
        let target = try await plane.makeNamespace(prefix: prefix + "-target")
        let airlock = try makeOperator(plane: plane, namespace: namespace, sweepInterval: sweepInterval, clock: clock)
        let running = Task { await airlock.run() }
        return LifecycleFixture(
            plane: plane, admin: admin, namespace: namespace, target: target, airlock: airlock, running: running)
    }

    /// A controller for `namespace` only: tests of other suites run in parallel on the same
    /// control plane.
    static func makeOperator(
        plane: TestControlPlane, namespace: String, sweepInterval: Duration = .seconds(3600),
        clock: AnyWallClock = .system
    ) throws -> AirlockOperator {
        var logger = Logger(label: "test.airlock")
        logger.logLevel = .notice
        return try AirlockOperator(
            client: try plane.client(as: "controller"), signer: lifecycleSigner,
            configuration: OperatorConfiguration(
                controllerNamespace: "airlock-system", controllerUsername: "controller",
                policy: PolicyConfiguration(controllerNamespace: "airlock-system"),
                credentialEndpoint: CredentialEndpoint(
                    server: plane.server.absoluteString,
                    certificateAuthorityPEM: Array(plane.certificateAuthority.certificatePEM.utf8)),
                sweepInterval: sweepInterval, workers: 4, requestNamespace: namespace),
            clock: clock, logger: logger)
    }

    func stop() async {
        running.cancel()
        await running.value
    }

    /// Binds the `controller` user to the ClusterRole shipped in manifests/rbac.yaml.
    static func grantControllerRBAC(_ admin: KubernetesClient) async throws {
        let role = try manifestObjects("manifests/rbac.yaml").first {
            $0["kind"] == "ClusterRole" && $0["metadata"]?["name"] == "airlock-controller"
        }
        var clusterRole = try KubeJSON.decode(ClusterRole.self, from: KubeJSON.encode(role!))
        clusterRole.metadata.name = "airlock-controller-test"
        let binding = ClusterRoleBinding(
            metadata: ObjectMeta(name: "airlock-controller-test"), subjects: [.user("controller")],
            roleRef: RoleRef(kind: "ClusterRole", name: "airlock-controller-test"))
        for create in [{ _ = try await admin.create(clusterRole) }, { _ = try await admin.create(binding) }] {
            do { try await create() } catch let error as KubernetesError where error.isAlreadyExists {}
        }
    }

    // MARK: Objects

    /// Creates a request as `user` would through the webhook: identity stamped and signed.
    @discardableResult
    func request(
        _ name: String, by user: String, groups: [String] = [], duration: String = "10m",
        permissions: [PermissionRule]? = nil, roleRef: TargetRoleRef? = nil
    ) async throws -> ActionRequest {
        let spec = ActionRequestSpec(
            reason: "test \(name)", duration: try KubeDuration(parsing: duration),
            permissions: permissions ?? [
                PermissionRule(
                    namespace: target, apiGroups: [""], resources: ["configmaps"], verbs: ["get"],
                    resourceNames: ["cm1"])
            ], roleRef: roleRef)
        let request = ActionRequest(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec)
        let stamped = lifecycleSigner.stamp(
            request, requester: Identity(username: user, uid: "uid-\(user)", groups: groups))
        return try await admin.create(stamped)
    }

    /// Creates a review as `user` would through the webhook.
    @discardableResult
    func review(
        _ request: String, by user: String, groups: [String] = [], decision: ReviewDecision, duration: String? = nil,
        name: String? = nil
    ) async throws -> ActionReview {
        var spec = ActionReviewSpec(
            request: request, decision: decision, duration: try duration.map { try KubeDuration(parsing: $0) },
            comment: "\(user) says \(decision.rawValue)")
        // What the webhook does: bind the review to the request instance.
        spec.requestUID = try await admin.get(ActionRequest.self, name: request, namespace: namespace).metadata.uid
        let review = ActionReview(
            metadata: ObjectMeta(
                name: name ?? "\(request)-\(user)-\(decision.rawValue.lowercased())", namespace: namespace),
            spec: spec)
        return try await admin.create(
            lifecycleSigner.stamp(review, reviewer: Identity(username: user, uid: "uid-\(user)", groups: groups)))
    }

    func policy(_ suffix: String, _ spec: ApprovalPolicySpec) async throws {
        try await airlock.createPolicy(suffix, spec, namespace: namespace, admin: admin)
    }

    /// Lets the `reviewers` group approve requests in the fixture's namespace.
    func allowReviewers(group: String = "reviewers") async throws {
        _ = try await admin.create(
            Role(
                metadata: ObjectMeta(name: "approvers", namespace: namespace),
                rules: [PolicyRule(apiGroups: ["airlock.dev"], resources: ["actionrequests"], verbs: ["approve"])]))
        _ = try await admin.create(
            RoleBinding(
                metadata: ObjectMeta(name: "approvers", namespace: namespace), subjects: [.group(group)],
                roleRef: RoleRef(kind: "Role", name: "approvers")))
    }

    func get(_ name: String) async throws -> ActionRequest {
        try await admin.get(ActionRequest.self, name: name, namespace: namespace)
    }

    /// Waits for the request to reach `phase` and returns it.
    @discardableResult
    func waitFor(
        _ name: String, _ phase: ActionRequestPhase, timeout: Duration = .seconds(20)
    ) async throws -> ActionRequest {
        try await eventuallyValue("\(name) to be \(phase.rawValue)", timeout: timeout, interval: .milliseconds(50)) {
            let request = try await get(name)
            return request.status?.phase == phase ? request : nil
        }
    }

    /// Every object labelled with the request's uid, as `Kind/namespace/name`.
    func grantObjects(of request: ActionRequest) async throws -> [String] {
        let selector = ListOptions(labelSelector: "\(AirlockConstants.Label.requestUID)=\(request.metadata.uid ?? "")")
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
}

/// May the client do `verb` on `resource` (named `name`) in `namespace`?
func canI(
    _ client: KubernetesClient, _ verb: String, _ resource: String, name: String? = nil, namespace: String
) async throws -> Bool {
    let review = SelfSubjectAccessReview(
        resourceAttributes: ResourceAttributes(namespace: namespace, verb: verb, resource: resource, name: name))
    return try await client.create(review).status?.allowed ?? false
}

extension AirlockOperator {
    /// Creates a cluster-scoped ApprovalPolicy named `<namespace>-<suffix>`, limited to requests
    /// in `namespace`, and waits until this controller has it in its cache. A request created
    /// sooner may be judged by the default first (then again once the policy arrives), which a
    /// test reading the pending decision would catch half-way.
    func createPolicy(
        _ suffix: String, _ spec: ApprovalPolicySpec, namespace: String, admin: KubernetesClient
    ) async throws {
        var spec = spec
        spec.match.requestNamespaces = [namespace]
        let name = "\(namespace)-\(suffix)"
        _ = try await admin.create(ApprovalPolicy(metadata: ObjectMeta(name: name), spec: spec))
        try await eventually("the controller to see ApprovalPolicy \(name)", timeout: .seconds(20)) {
            policies.store.get(name: name, namespace: nil) != nil
        }
    }
}
