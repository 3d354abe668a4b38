import AirlockAPI
import AirlockAdmission
import AirlockIdentity
import ArgumentParser
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Logging
import Synchronization

/// Airlock as shipped — the release `airlock controller` binary with its defaults, webhook on,
/// `credential: Subject`, one auto-approving policy — out of process against a local API
/// server, beside the floor: the same API writes by a bare client loop with no controller.
struct ShippedBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shipped",
        abstract: "The shipped controller binary under load, beside the floor (a bare client doing the same writes).")

    @Option(help: "The airlock binary (release build).") var binary = ".build/release/airlock"
    @Option(
        help:
            "Workloads, comma-separated: \(Self.knownWorkloads.joined(separator: ", ")). Not in the defaults: rated, peer-rated."
    )
    var workloads = "floor,peer,idle,paced,sequential,concurrent,restarts"
    @Option(help: "Requests in the sequential, rated and concurrent workloads.") var count = 1000
    @Option(
        help:
            "Requests per second in the rated workloads (rated, peer-rated): the sequential one's count, created by one creator at this pace. The issue's figures for 1,000 one after another were taken at 41-56 creates/s."
    )
    var rate = 56.0
    @Option(help: "Seconds each grant lasts.") var grantSeconds = 15
    @Option(help: "Extra arguments for the controller (after --).") var controllerArgument: [String] = []
    @Option(
        help:
            "Write each lifecycle's times (sent, granted, due to expire, revoked, created, RoleBinding seen; 0 for none) to <prefix>-a, -b, -r, -c: one line per request."
    )
    var times: String?
    @Flag(
        help:
            "Have the API server log the grants' writes (an audit log) and say, per workload, how long each write took on the API server and how long between writes. The log slows the API server."
    )
    var auditSteps = false

    /// Every workload `--workloads` can name, in the order they run.
    static let knownWorkloads = [
        "floor", "peer", "peer-rated", "idle", "paced", "sequential", "rated", "concurrent", "restarts",
    ]

    func validate() throws {
        let unknown = workloads.split(separator: ",").map(String.init).filter { !Self.knownWorkloads.contains($0) }
        guard unknown.isEmpty else {
            let known = Self.knownWorkloads.joined(separator: ", ")
            throw ValidationError("unknown workload \(unknown.joined(separator: ", ")); known: \(known)")
        }
        guard rate > 0, rate.isFinite else {
            throw ValidationError("--rate must be a positive number of requests per second")
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
        let chosen = Set(workloads.split(separator: ",").map(String.init))
        progress("starting a control plane")
        let audit = auditSteps ? try BenchAudit.prepare() : nil
        defer { audit?.remove() }
        let plane = try await TestControlPlane.start(
            .init(extraAPIServerFlags: audit?.apiServerFlags ?? [], traceAPIServerCollections: true))
        defer { Task { await plane.stop() } }
        progress("installing Airlock's RBAC and webhook configurations")
        let environment = try await BenchEnvironment.make(
            plane: plane, binary: binary, extra: controllerArgument, audit: audit)
        do {
            try await measure(environment, chosen)
        } catch {
            progress("failed: \(error)")
            await environment.controller.stop()
            await environment.shutdown()
            throw error
        }
        await environment.shutdown()
    }

    private func measure(_ environment: BenchEnvironment, _ chosen: Set<String>) async throws {
        say("# Airlock as shipped (\(binary)), API server v1.20 + etcd on this machine; grants last \(grantSeconds) s")
        if chosen.contains("floor") {
            try await environment.floor(count: count, width: 1)
            try await environment.floor(count: count, width: 8)
        }
        if chosen.contains("peer") {
            try await environment.peer("peer (b): \(count) one after another", count: count)
        }
        if chosen.contains("peer-rated") {
            try await environment.peer(
                "peer (r): \(count) at \(Int(rate))/s", count: count, pace: .seconds(1 / rate))
        }
        progress("starting the controller")
        try await environment.controller.start()
        say("controller RSS after start: \(environment.controller.residentDescription)")
        if chosen.contains("idle") {
            try await environment.idle(seconds: 30)
        }
        if chosen.contains("paced") {
            try await environment.lifecycles(
                "(a) 200 at 20/s", count: 200, width: 1, pace: .milliseconds(50), grantSeconds: grantSeconds,
                timesFile: times)
        }
        if chosen.contains("sequential") {
            try await environment.lifecycles(
                "(b) \(count) one after another", count: count, width: 1, pace: nil, grantSeconds: grantSeconds,
                reportMemory: true, timesFile: times)
        }
        if chosen.contains("rated") {
            try await environment.lifecycles(
                "(r) \(count) at \(Int(rate))/s", count: count, width: 1, pace: .seconds(1 / rate),
                grantSeconds: grantSeconds, timesFile: times)
        }
        if chosen.contains("concurrent") {
            // The machine's speed drifts within a run (docs/performance.md): (c) is compared with
            // a floor measured right before it, with the controller stopped meanwhile.
            var floor: Duration?
            if chosen.contains("floor") {
                await environment.controller.stop()
                floor = try await environment.floor(count: count, width: 8)
                progress("restarting the controller")
                try await environment.controller.start()
            }
            try await environment.lifecycles(
                "(c) \(count) from 8 creators", count: count, width: 8, pace: nil, grantSeconds: grantSeconds,
                timesFile: times, floor: floor)
        }
        if chosen.contains("restarts") {
            try await environment.restarts(count: 300, kills: 5)
        }
        await environment.controller.stop()
    }
}

/// A result line on stdout, unbuffered (a long run shows its figures as they come).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data("\(text)\n".utf8))
}

/// A progress line on stderr.
func progress(_ text: String) {
    FileHandle.standardError.write(Data("[bench] \(text)\n".utf8))
}

/// The control plane set up as a user would install Airlock, plus the load generator.
struct BenchEnvironment {
    let plane: TestControlPlane
    /// With `--audit-steps`: the API server's audit log.
    let audit: BenchAudit?
    let admin: KubernetesClient
    let alice: KubernetesClient
    let controller: ShippedController
    let controllerNamespace = "airlock-system"
    let logger = Logger(label: "bench")

    static func make(
        plane: TestControlPlane, binary: String, extra: [String], audit: BenchAudit? = nil
    ) async throws -> BenchEnvironment {
        var adminConfiguration = try plane.clientConfiguration(as: plane.configuration.adminUser)
        adminConfiguration.rateLimit = nil
        let admin = try KubernetesClient(configuration: adminConfiguration)
        var aliceConfiguration = try plane.clientConfiguration(as: "alice")
        aliceConfiguration.rateLimit = nil
        let alice = try KubernetesClient(configuration: aliceConfiguration)
        _ = try await admin.create(Namespace(name: "airlock-system"))
        // The controller as the `controller` user with exactly the shipped ClusterRole.
        let rbac = try KubeYAML.documents(String(contentsOfFile: "manifests/rbac.yaml", encoding: .utf8))
        guard
            let role = rbac.first(where: {
                $0["kind"] == "ClusterRole" && $0["metadata"]?["name"] == "airlock-controller"
            })
        else {
            throw ValidationError(
                "manifests/rbac.yaml has no ClusterRole airlock-controller (run from the repository root)")
        }
        _ = try await admin.create(try KubeJSON.decode(ClusterRole.self, from: KubeJSON.encode(role)))
        if let requester = rbac.first(where: {
            $0["kind"] == "ClusterRole" && $0["metadata"]?["name"] == "airlock-requester"
        }) {
            _ = try await admin.create(try KubeJSON.decode(ClusterRole.self, from: KubeJSON.encode(requester)))
        }
        _ = try await admin.create(
            ClusterRoleBinding(
                metadata: ObjectMeta(name: "airlock-controller"), subjects: [.user("controller")],
                roleRef: RoleRef(kind: "ClusterRole", name: "airlock-controller")))
        _ = try await admin.create(
            Role(
                metadata: ObjectMeta(name: "leases", namespace: "airlock-system"),
                rules: [
                    PolicyRule(
                        apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"])
                ]))
        _ = try await admin.create(
            RoleBinding(
                metadata: ObjectMeta(name: "leases", namespace: "airlock-system"), subjects: [.user("controller")],
                roleRef: RoleRef(kind: "Role", name: "leases")))
        let webhookPort = try FreePort.loopback(count: 1)[0]
        let endpoint = WebhookConfigurations.Endpoint.url("https://127.0.0.1:\(webhookPort)")
        _ = try await admin.create(WebhookConfigurations.mutating(endpoint: endpoint))
        _ = try await admin.create(WebhookConfigurations.validating(endpoint: endpoint))
        let controller = ShippedController(
            binary: binary, plane: plane, namespace: "airlock-system", webhookPort: webhookPort, extraArguments: extra)
        return BenchEnvironment(plane: plane, audit: audit, admin: admin, alice: alice, controller: controller)
    }

    func shutdown() async {
        try? await admin.shutdown()
        try? await alice.shutdown()
    }

    /// A namespace for requests with an auto-approving policy, and one for the grants.
    func namespaces(_ prefix: String) async throws -> (requests: String, target: String) {
        let requests = try await plane.makeNamespace(prefix: prefix)
        let target = try await plane.makeNamespace(prefix: prefix + "-target")
        _ = try await admin.create(
            RoleBinding(
                metadata: ObjectMeta(name: "requester", namespace: requests), subjects: [.user("alice")],
                roleRef: RoleRef(kind: "ClusterRole", name: "airlock-requester")))
        _ = try await admin.create(
            ApprovalPolicy(
                metadata: ObjectMeta(name: "\(requests)-auto"),
                spec: ApprovalPolicySpec(
                    match: PolicyMatch(requestNamespaces: [requests]), decision: .autoApprove,
                    maxDuration: KubeDuration(seconds: 3600))))
        return (requests, target)
    }

    static func request(_ name: String, namespace: String, target: String, seconds: Int) -> ActionRequest {
        ActionRequest(
            metadata: ObjectMeta(name: name, namespace: namespace),
            spec: ActionRequestSpec(
                reason: "bench", duration: KubeDuration(seconds: Int64(seconds)),
                permissions: [
                    PermissionRule(
                        namespace: target, apiGroups: [""], resources: ["configmaps"], verbs: ["get"],
                        resourceNames: [name])
                ], credential: .subject))
    }
}
