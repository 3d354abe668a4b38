import Foundation
import KubeClient
import KubeCore
import KubeTLS
import Logging
import Synchronization

/// A real etcd + kube-apiserver on free loopback ports, for tests and the demo (what
/// controller-runtime calls envtest).
///
/// - Binaries come from `KUBEBUILDER_ASSETS`, else `AIRLOCK_ASSETS_DIR`, else
///   `~/.cache/airlock/kube-assets` (run `hack/kube-assets.sh` once).
/// - Everything lives in a temporary directory: etcd data, both servers' logs
///   (`etcd.log`, `kube-apiserver.log`), the token file, keys and `kubeconfig`.
/// - Users authenticate with static tokens (`client(as:)`); TLS is verified against the
///   control plane's own CA; authorization is RBAC. The admin is in `system:masters`.
/// - The servers stop with `stop()`, at normal process exit (`atexit`), and — when this
///   process dies from a signal — through a watchdog shell that polls for it.
///
/// Tests share one instance per process (`shared()`) and isolate themselves with one
/// namespace each (`makeNamespace(prefix:)`).
public actor TestControlPlane {
    public nonisolated let configuration: Configuration
    /// The temporary directory holding data, logs, keys and the kubeconfig.
    public nonisolated let directory: URL
    /// `https://127.0.0.1:PORT`.
    public nonisolated let server: URL
    /// The CA the API server's serving certificate comes from.
    public nonisolated let certificateAuthority: CertificateAuthority
    /// A kubeconfig with one context per user (named after the user); the current context
    /// is the admin's. `KUBECONFIG=<this> kubectl --context alice get pods`.
    public nonisolated let kubeconfigPath: String
    /// Every token user, the admin first.
    public nonisolated let users: [User]
    /// How long `start` took until the API server was ready (CRDs not included).
    public nonisolated let startDuration: Duration
    /// The client of the admin user (`system:masters`). Owned by the control plane: don't shut
    /// it down.
    public nonisolated let adminClient: KubernetesClient
    private nonisolated let tokens: [String: String]
    private nonisolated let clients: Mutex<ClientCache>
    private let logger: Logger
    private var etcd: ServerProcess?
    private var apiServer: ServerProcess?

    private struct ClientCache {
        var clients: [String: KubernetesClient] = [:]
        var stopped = false
    }

    init(
        configuration: Configuration, directory: URL, server: URL, certificateAuthority: CertificateAuthority,
        users: [User], tokens: [String: String], etcd: ServerProcess, apiServer: ServerProcess,
        startDuration: Duration, logger: Logger
    ) throws {
        self.configuration = configuration
        self.directory = directory
        self.server = server
        self.certificateAuthority = certificateAuthority
        self.kubeconfigPath = directory.appendingPathComponent("kubeconfig").path
        self.users = users
        self.tokens = tokens
        self.etcd = etcd
        self.apiServer = apiServer
        self.startDuration = startDuration
        self.logger = logger
        let admin = try KubernetesClient(
            configuration: ClientConfiguration(
                server: server,
                tls: .init(certificateAuthorityPEM: Array(certificateAuthority.certificatePEM.utf8)),
                credentials: .token(tokens[configuration.adminUser] ?? "")))
        self.adminClient = admin
        self.clients = Mutex(ClientCache(clients: [configuration.adminUser: admin]))
    }

    // MARK: Shared instance

    private static let sharedStart = Mutex<Task<TestControlPlane, any Error>?>(nil)

    /// The control plane of this process, started by the first caller with the default
    /// configuration; concurrent callers await the same start (and get the same error if it
    /// failed). Never `stop()` it: it goes at process exit. Installs the ``LogSweep`` (tests
    /// only: the process's logging is bootstrapped once).
    public static func shared() async throws -> TestControlPlane {
        LogSweep.install()
        let start = sharedStart.withLock { task in
            if let task { return task }
            let started = Task { try await TestControlPlane.start() }
            task = started
            return started
        }
        return try await start.value
    }

    // MARK: Clients

    /// The client of a token user, created once and owned by the control plane: don't shut
    /// it down.
    public nonisolated func client(as user: String) throws -> KubernetesClient {
        let configuration = try clientConfiguration(as: user)
        return try clients.withLock { cache in
            guard !cache.stopped else { throw KubeTestingError(.other, "the control plane is stopped") }
            if let client = cache.clients[user] { return client }
            let client = try KubernetesClient(configuration: configuration)
            cache.clients[user] = client
            return client
        }
    }

    /// How to reach the API server as a token user (e.g. to build a client with other
    /// settings).
    public nonisolated func clientConfiguration(as user: String) throws -> ClientConfiguration {
        clientConfiguration(token: try token(for: user))
    }

    /// How to reach the API server with any bearer token (a ServiceAccount's, say).
    public nonisolated func clientConfiguration(token: String) -> ClientConfiguration {
        ClientConfiguration(
            server: server, tls: .init(certificateAuthorityPEM: Array(certificateAuthority.certificatePEM.utf8)),
            credentials: .token(token))
    }

    /// The static token of a user.
    public nonisolated func token(for user: String) throws -> String {
        guard let token = tokens[user] else {
            throw KubeTestingError(
                .other, "no user \(user) in the token file (users: \(users.map(\.name).joined(separator: ", ")))")
        }
        return token
    }

    /// Runs `body` with a new client using `token`, and shuts that client down afterwards
    /// (even when `body` throws).
    public func withClient<T>(
        token: String, isolation: isolated (any Actor)? = #isolation, _ body: (KubernetesClient) async throws -> T
    ) async throws -> T {
        let client = try KubernetesClient(configuration: clientConfiguration(token: token))
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    // MARK: Namespaces

    /// Creates a namespace named `<prefix>-<random>` and returns its name: one per test.
    /// Namespaces are not deleted (nothing would finish deleting them without a controller
    /// manager); they go with the control plane.
    public nonisolated func makeNamespace(prefix: String = "test") async throws -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        var base = String(prefix.lowercased().filter { allowed.contains($0) }.prefix(50))
        while base.hasPrefix("-") { base.removeFirst() }
        while base.hasSuffix("-") { base.removeLast() }
        let name = (base.isEmpty ? "test" : base) + "-" + Self.randomString(length: 6)
        _ = try await adminClient.create(Namespace(name: name, labels: ["airlock.dev/test": "true"]))
        return name
    }

    // MARK: Lifecycle

    /// Restarts kube-apiserver only (same port, same etcd, same flags) and waits until it is
    /// ready again: open watches and connections break, data stays.
    public func restartAPIServer() async throws {
        guard let apiServer else { throw KubeTestingError(.other, "the control plane is stopped") }
        let started = ContinuousClock.now
        // With watches open, kube-apiserver's graceful shutdown waits for them (seen: > 15 s);
        // a test restarting it wants them broken anyway.
        await apiServer.stop(timeout: .seconds(3))
        let restarted = try await ServerProcess.launch(apiServer.command, in: directory)
        self.apiServer = restarted
        try await Self.waitUntilReady(
            server: server, caPEM: certificateAuthority.certificatePEM, token: try token(for: configuration.adminUser),
            processes: [etcd, restarted].compactMap { $0 }, timeout: configuration.startTimeout)
        logger.info("kube-apiserver restarted in \(ContinuousClock.now - started)")
    }

    /// Stops both servers, shuts every client down and removes the directory (kept when
    /// `AIRLOCK_KEEP_TEST_CLUSTER` is set). Idempotent.
    public func stop() async {
        let toShutDown = clients.withLock { cache in
            defer {
                cache.clients = [:]
                cache.stopped = true
            }
            return Array(cache.clients.values)
        }
        for client in toShutDown { try? await client.shutdown() }
        await apiServer?.stop(timeout: .seconds(3))
        await etcd?.stop()
        apiServer = nil
        etcd = nil
        Self.removeDirectory(directory)
    }

    // MARK: Helpers

    static func randomString(length: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<length).map { _ in alphabet.randomElement()! })
    }

    static func randomToken() -> String {
        Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255) })
    }

    static func removeDirectory(_ directory: URL) {
        ChildProcessRegistry.unregister(directory: directory.path)
        guard ProcessInfo.processInfo.environment["AIRLOCK_KEEP_TEST_CLUSTER"] == nil else { return }
        try? FileManager.default.removeItem(at: directory)
    }
}
