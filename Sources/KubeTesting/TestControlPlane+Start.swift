import Foundation
import KubeClient
import KubeCore
import KubeTLS
import Logging

extension TestControlPlane {
    /// Starts etcd and kube-apiserver on free loopback ports, waits until `/readyz` answers
    /// ok, installs the configured CRDs and waits until they are Established. On failure the
    /// error carries the end of the failing server's log.
    public static func start(
        _ configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "airlock.test-control-plane")
    ) async throws -> TestControlPlane {
        let started = ContinuousClock.now
        let assets = try configuration.resolveAssets()
        let directory = try makeTemporaryDirectory()
        ChildProcessRegistry.register(directory: directory.path)
        var servers: (etcd: ServerProcess, apiServer: ServerProcess)?
        do {
            let ca = try CertificateAuthority.generate(commonName: "airlock-test-ca")
            var users = configuration.users.filter { $0.name != configuration.adminUser }
            users.insert(User(configuration.adminUser, groups: ["system:masters"]), at: 0)
            let tokens = Dictionary(uniqueKeysWithValues: users.map { ($0.name, randomToken()) })
            for (user, token) in tokens { LogSweep.register(token, as: "the token of \(user)") }
            try writeFiles(in: directory, ca: ca, users: users, tokens: tokens)

            let adminToken = tokens[configuration.adminUser]!
            let (etcd, apiServer, server) = try await launchServers(
                assets: assets, directory: directory, configuration: configuration, caPEM: ca.certificatePEM,
                adminToken: adminToken, logger: logger)
            servers = (etcd, apiServer)
            try writeKubeconfig(
                at: directory.appendingPathComponent("kubeconfig"), server: server, caPEM: ca.certificatePEM,
                users: users, tokens: tokens)

            let controlPlane = try TestControlPlane(
                configuration: configuration, directory: directory, server: server, certificateAuthority: ca,
                users: users, tokens: tokens, etcd: etcd, apiServer: apiServer,
                startDuration: ContinuousClock.now - started, logger: logger)
            do {
                try await controlPlane.installCustomResourceDefinitions()
            } catch {
                await controlPlane.stop()
                throw error
            }
            let elapsed = ContinuousClock.now - started
            logger.info(
                "control plane ready at \(server.absoluteString) in \(elapsed) (\(controlPlane.kubeconfigPath))")
            return controlPlane
        } catch {
            if let servers {
                await servers.apiServer.stop()
                await servers.etcd.stop()
            }
            removeDirectory(directory)
            throw error
        }
    }

    /// Starts etcd, then kube-apiserver, on newly picked ports; tries again with other ports
    /// when one was taken in the meantime.
    private static func launchServers(
        assets: URL, directory: URL, configuration: Configuration, caPEM: String, adminToken: String, logger: Logger
    ) async throws -> (ServerProcess, ServerProcess, URL) {
        let attempts = 3
        for attempt in 1...attempts {
            let ports = try FreePort.loopback(count: 3)
            let (etcdPort, peerPort, securePort) = (ports[0], ports[1], ports[2])
            let etcdData = directory.appendingPathComponent("etcd-data")
            try? FileManager.default.removeItem(at: etcdData)
            let etcd = try await ServerProcess.launch(
                .init(
                    name: "etcd", executable: assets.appendingPathComponent("etcd").path,
                    arguments: [
                        "--name=default", "--data-dir=\(etcdData.path)",
                        "--listen-client-urls=http://127.0.0.1:\(etcdPort)",
                        "--advertise-client-urls=http://127.0.0.1:\(etcdPort)",
                        "--listen-peer-urls=http://127.0.0.1:\(peerPort)",
                        "--initial-advertise-peer-urls=http://127.0.0.1:\(peerPort)",
                        "--initial-cluster=default=http://127.0.0.1:\(peerPort)",
                    ]),
                in: directory)
            let file = { (name: String) in directory.appendingPathComponent(name).path }
            let apiServer: ServerProcess
            do {
                let binary = assets.appendingPathComponent("kube-apiserver").path
                // `env` execs the server in its place: the pid is still the server's.
                let (executable, traced) =
                    configuration.traceAPIServerCollections
                    ? ("/usr/bin/env", ["GODEBUG=gctrace=1", binary]) : (binary, [])
                apiServer = try await ServerProcess.launch(
                    .init(
                        name: "kube-apiserver", executable: executable,
                        arguments: traced + [
                            "--etcd-servers=http://127.0.0.1:\(etcdPort)",
                            "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
                            "--secure-port=\(securePort)", "--insecure-port=0",
                            "--cert-dir=\(file("certs"))",
                            "--tls-cert-file=\(file("tls.crt"))", "--tls-private-key-file=\(file("tls.key"))",
                            "--token-auth-file=\(file("tokens.csv"))", "--authorization-mode=RBAC",
                            "--service-account-issuer=https://kubernetes.default.svc",
                            "--service-account-key-file=\(file("sa.pub"))",
                            "--service-account-signing-key-file=\(file("sa.key"))",
                            "--service-cluster-ip-range=10.0.0.0/24",
                        ] + configuration.extraAPIServerFlags),
                    in: directory)
            } catch {
                await etcd.stop()
                throw error
            }
            let server = URL(string: "https://127.0.0.1:\(securePort)")!
            do {
                try await waitUntilReady(
                    server: server, caPEM: caPEM, token: adminToken, processes: [etcd, apiServer],
                    timeout: configuration.startTimeout)
                return (etcd, apiServer, server)
            } catch {
                await apiServer.stop()
                await etcd.stop()
                let collision = [etcd, apiServer].contains { $0.logTail(lines: 200).contains("address already in use") }
                guard collision, attempt < attempts else { throw error }
                logger.info("a port was taken while starting (attempt \(attempt)); trying other ports")
            }
        }
        throw KubeTestingError(.startFailed, "no free ports after \(attempts) attempts")
    }

    /// Polls `/readyz` until it answers 200; fails early, with the end of its log, when a
    /// server process exits.
    static func waitUntilReady(
        server: URL, caPEM: String, token: String, processes: [ServerProcess], timeout: Duration
    ) async throws {
        // A short request timeout: while nothing listens, AsyncHTTPClient keeps retrying the
        // connection until the request's deadline, and a dead server must be noticed quickly.
        let probe = try KubernetesClient(
            configuration: ClientConfiguration(
                server: server, tls: .init(certificateAuthorityPEM: Array(caPEM.utf8)), credentials: .token(token),
                rateLimit: nil, maxRetries: 0, requestTimeout: .seconds(1)))
        var lastAnswer = "none"
        do {
            try await eventually("kube-apiserver /readyz", timeout: timeout, interval: .milliseconds(100)) {
                if let exited = processes.first(where: { !$0.isRunning }) {
                    throw KubeTestingError(
                        .startFailed,
                        "\(exited.command.name) exited while starting; end of \(exited.logFile.path):\n"
                            + exited.logTail())
                }
                do {
                    let (status, body) = try await probe.raw(KubeRequest(method: .get, path: "/readyz"))
                    lastAnswer = "\(status) \(String(decoding: body.prefix(300), as: UTF8.self))"
                    return status == 200
                } catch let error as KubernetesError where error.kind == .transport {
                    lastAnswer = error.description
                    return false
                }
            }
            try await probe.shutdown()
        } catch let error as KubeTestingError where error.kind == .timeout {
            try? await probe.shutdown()
            let apiServer = processes.last
            throw KubeTestingError(
                .startFailed,
                "kube-apiserver not ready after \(timeout) (last answer: \(lastAnswer)); end of "
                    + "\(apiServer?.logFile.path ?? "its log"):\n\(apiServer?.logTail() ?? "")")
        } catch {
            try? await probe.shutdown()
            throw error
        }
    }

    /// Creates the configured CRDs and waits until the API server serves each.
    func installCustomResourceDefinitions() async throws {
        let admin = adminClient
        for definition in configuration.customResourceDefinitions {
            do {
                _ = try await admin.create(definition)
            } catch let error as KubernetesError where error.isAlreadyExists {
                continue
            }
        }
        var pending = configuration.customResourceDefinitions.compactMap(\.metadata.name)
        do {
            try await eventually("CRDs to be Established", timeout: configuration.startTimeout) {
                var stillPending: [String] = []
                for name in pending
                where !(try await admin.get(CustomResourceDefinition.self, name: name).isEstablished) {
                    stillPending.append(name)
                }
                pending = stillPending
                return pending.isEmpty
            }
        } catch let error as KubeTestingError where error.kind == .timeout {
            throw KubeTestingError(
                .startFailed,
                "CRDs not Established after \(configuration.startTimeout): \(pending.joined(separator: ", "))")
        }
    }

    // MARK: Files

    private static let directoryPrefix = "airlock-control-plane-"

    /// Where control planes live: `/dev/shm` when writable (etcd's fsyncs on a memory file
    /// system make a test cluster several times faster; its data is thrown away anyway),
    /// else the temporary directory. `AIRLOCK_TEST_CLUSTER_DIR` overrides it.
    static var parentDirectory: URL {
        if let chosen = ProcessInfo.processInfo.environment["AIRLOCK_TEST_CLUSTER_DIR"], !chosen.isEmpty {
            return URL(fileURLWithPath: chosen)
        }
        if FileManager.default.isWritableFile(atPath: "/dev/shm") { return URL(fileURLWithPath: "/dev/shm") }
        return FileManager.default.temporaryDirectory
    }

    /// A new directory under `parentDirectory`, with this process's pid in `owner.pid`;
    /// first removes those left by processes that died without cleaning up (killed by a signal).
    private static func makeTemporaryDirectory() throws -> URL {
        removeAbandonedDirectories()
        var template = Array("\(parentDirectory.path)/\(directoryPrefix)XXXXXX".utf8CString)
        guard let path = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw KubeTestingError(.other, "cannot create a temporary directory: errno \(errno)")
        }
        let directory = URL(fileURLWithPath: String(cString: path))
        try write("\(getpid())\n", to: directory.appendingPathComponent("owner.pid"))
        return directory
    }

    private static func removeAbandonedDirectories() {
        guard ProcessInfo.processInfo.environment["AIRLOCK_KEEP_TEST_CLUSTER"] == nil else { return }
        let temporary = parentDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix(directoryPrefix) {
            let directory = temporary.appendingPathComponent(name)
            guard
                let text = try? String(contentsOf: directory.appendingPathComponent("owner.pid"), encoding: .utf8),
                let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                kill(owner, 0) != 0, errno == ESRCH
            else { continue }
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Serving certificate, service-account keys, token file, CA certificate.
    private static func writeFiles(
        in directory: URL, ca: CertificateAuthority, users: [User], tokens: [String: String]
    ) throws {
        let serving = try ca.issueServingCertificate(
            dnsNames: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"],
            ipAddresses: ["127.0.0.1", "10.0.0.1"])
        let serviceAccountKeys = SigningKeyPair.generateP256()
        // token,user,uid[,"group1,group2"]: an empty group column would add the group "".
        let tokenFile = users.map { user in
            let line = "\(tokens[user.name]!),\(user.name),\(user.name)"
            return user.groups.isEmpty ? line : line + ",\"\(user.groups.joined(separator: ","))\""
        }.joined(separator: "\n")
        try write(ca.certificatePEM, to: directory.appendingPathComponent("ca.crt"))
        try write(serving.certificatePEM, to: directory.appendingPathComponent("tls.crt"))
        try write(serving.privateKeyPEM, to: directory.appendingPathComponent("tls.key"), secret: true)
        try write(serviceAccountKeys.privateKeyPEM, to: directory.appendingPathComponent("sa.key"), secret: true)
        try write(serviceAccountKeys.publicKeyPEM, to: directory.appendingPathComponent("sa.pub"))
        try write(tokenFile + "\n", to: directory.appendingPathComponent("tokens.csv"), secret: true)
    }

    /// A kubeconfig with one context per user, the admin's current.
    private static func writeKubeconfig(
        at file: URL, server: URL, caPEM: String, users: [User], tokens: [String: String]
    ) throws {
        let cluster = "airlock-test"
        var lines = [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: \(cluster)",
            "  cluster:",
            "    server: \"\(server.absoluteString)\"",
            "    certificate-authority-data: \(Data(caPEM.utf8).base64EncodedString())",
            "users:",
        ]
        for user in users {
            lines += ["- name: \"\(user.name)\"", "  user:", "    token: \"\(tokens[user.name]!)\""]
        }
        lines.append("contexts:")
        for user in users {
            lines += [
                "- name: \"\(user.name)\"", "  context:", "    cluster: \(cluster)", "    user: \"\(user.name)\"",
                "    namespace: default",
            ]
        }
        lines.append("current-context: \"\(users[0].name)\"")
        try write(lines.joined(separator: "\n") + "\n", to: file, secret: true)
    }

    private static func write(_ text: String, to file: URL, secret: Bool = false) throws {
        let attributes: [FileAttributeKey: Any] = [.posixPermissions: secret ? 0o600 : 0o644]
        guard FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8), attributes: attributes)
        else {
            throw KubeTestingError(.other, "cannot write \(file.path)")
        }
    }
}
