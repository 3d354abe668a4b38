import Foundation
import Testing

@testable import KubeClient

/// A scratch directory with files, removed at deinit.
final class Scratch {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "airlock-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }
        return file
    }
}

/// A kubeconfig with one cluster `c`, one user `u` and one context `ctx`.
func kubeconfig(cluster: String = "server: https://127.0.0.1:6443", user: String, extra: String = "") -> String {
    """
    apiVersion: v1
    kind: Config
    current-context: ctx
    clusters:
    - name: c
      cluster:
        \(cluster)
    users:
    - name: u
      user:
    \(user.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
    contexts:
    - name: ctx
      context:
        cluster: c
        user: u
        namespace: team-a
    \(extra)
    """
}

let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

@Suite struct KubeConfigTests {
    @Test func tokenUser() throws {
        let scratch = try Scratch()
        let file = try scratch.write("config", kubeconfig(user: "token: s3cret"))
        let config = try ClientConfiguration.kubeconfig(path: file)
        #expect(config.server.absoluteString == "https://127.0.0.1:6443")
        #expect(config.namespace == "team-a")
        guard case .token(let token) = config.credentials else { Issue.record("expected a token"); return }
        #expect(token == "s3cret")
    }

    @Test func tokenFileIsRelativeToTheKubeconfig() throws {
        let scratch = try Scratch()
        try scratch.write("tok", "from-file\n")
        let file = try scratch.write("config", kubeconfig(user: "tokenFile: tok"))
        let config = try ClientConfiguration.kubeconfig(path: file)
        guard case .tokenFile(let path, _) = config.credentials else { Issue.record("expected a token file"); return }
        #expect(path == scratch.path + "/tok")
    }

    @Test func tokenFileIsReadAndTrimmed() async throws {
        let scratch = try Scratch()
        let path = try scratch.write("tok", "abc\n")
        let provider = CredentialProvider(.tokenFile(path: path, refreshInterval: .zero))
        #expect(try await provider.authorization() == "Bearer abc")
        try scratch.write("tok", "rotated")
        #expect(try await provider.authorization() == "Bearer rotated")
    }

    @Test func certificatesAsData() throws {
        let scratch = try Scratch()
        let data = Data(pem.utf8).base64EncodedString()
        let file = try scratch.write(
            "config",
            kubeconfig(
                cluster: "server: https://k:6443\n    certificate-authority-data: \(data)",
                user: "client-certificate-data: \(data)\nclient-key-data: \(Data("KEY".utf8).base64EncodedString())"))
        let config = try ClientConfiguration.kubeconfig(path: file)
        #expect(config.tls.certificateAuthorityPEM == Array(pem.utf8))
        #expect(config.tls.clientCertificatePEM == Array(pem.utf8))
        #expect(config.tls.clientKeyPEM == Array("KEY".utf8))
    }

    @Test func certificatesAsFiles() throws {
        let scratch = try Scratch()
        try scratch.write("ca.crt", pem)
        try scratch.write("client.crt", pem)
        let key = try scratch.write("client.key", "KEY")
        let file = try scratch.write(
            "config",
            kubeconfig(
                cluster: "server: https://k:6443\n    certificate-authority: ca.crt",
                user: "client-certificate: client.crt\nclient-key: \(key)"))
        let config = try ClientConfiguration.kubeconfig(path: file)
        #expect(config.tls.certificateAuthorityPEM == Array(pem.utf8))
        #expect(config.tls.clientKeyPEM == Array("KEY".utf8))
    }

    @Test func insecureSkipVerify() throws {
        let scratch = try Scratch()
        let file = try scratch.write(
            "config",
            kubeconfig(cluster: "server: https://k:6443\n    insecure-skip-tls-verify: true", user: "token: t"))
        #expect(try ClientConfiguration.kubeconfig(path: file).tls.insecureSkipVerify)
    }

    @Test func contextSelection() throws {
        let scratch = try Scratch()
        let extra = """
            - name: other
              context:
                cluster: c
                namespace: team-b
            """
        // The extra context is appended to the `contexts` list.
        let file = try scratch.write("config", kubeconfig(user: "token: t", extra: extra))
        #expect(try ClientConfiguration.kubeconfig(path: file, context: "other").namespace == "team-b")
        let error = #expect(throws: KubernetesError.self) {
            try ClientConfiguration.kubeconfig(path: file, context: "nope")
        }
        #expect(error?.message == "kubeconfig \(file): context \"nope\" not found")
    }

    @Test func badFilesNameFileAndField() throws {
        let scratch = try Scratch()
        let cases: [(String, String)] = [
            ("clusters: [", "not valid YAML"),
            (kubeconfig(cluster: "server: ", user: "token: t"), "clusters[c].cluster.server is missing or not a URL"),
            (
                kubeconfig(cluster: "server: https://k\n    certificate-authority: missing.crt", user: "token: t"),
                "clusters[c].cluster.certificate-authority: cannot read \(scratch.path)/missing.crt"
            ),
            (
                kubeconfig(user: "client-certificate-data: '!!!'\nclient-key-data: eA=="),
                "users[u].user.client-certificate-data is not valid base64"
            ),
            (
                kubeconfig(user: "exec:\n  apiVersion: client.authentication.k8s.io/v1alpha1\n  command: x"),
                "users[u].user.exec.apiVersion \"client.authentication.k8s.io/v1alpha1\" is not supported"
            ),
            ("apiVersion: v1\nkind: Config\n", "no context given and current-context is not set"),
            ("clusters:\n- cluster: {server: x}\n", "missing field clusters[0].name"),
        ]
        for (index, (text, expected)) in cases.enumerated() {
            let file = try scratch.write("config-\(index)", text)
            let error = #expect(throws: KubernetesError.self) { try ClientConfiguration.kubeconfig(path: file) }
            #expect(error?.kind == .configuration)
            #expect(error?.message.hasPrefix("kubeconfig \(file): ") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "") should mention \(expected)")
        }
        let missing = #expect(throws: KubernetesError.self) {
            try ClientConfiguration.kubeconfig(path: scratch.path + "/none")
        }
        #expect(missing?.message == "kubeconfig \(scratch.path)/none: cannot read the file")
    }

    @Test func secretsNeverInErrors() throws {
        let scratch = try Scratch()
        let file = try scratch.write("config", kubeconfig(user: "token: super-secret-token\nclient-key-data: '%%%'"))
        let error = #expect(throws: KubernetesError.self) { try ClientConfiguration.kubeconfig(path: file) }
        #expect(error?.description.contains("super-secret-token") == false)
        // YAML the parser refuses: its own message quotes the lines around the fault.
        for broken in ["token: super-secret-token\ntoken: again", "token: super-secret-token\n  - x: ["] {
            let file = try scratch.write("broken", kubeconfig(user: broken))
            let error = #expect(throws: KubernetesError.self) { try ClientConfiguration.kubeconfig(path: file) }
            #expect(error?.description.contains("not valid YAML") == true, "\(error?.description ?? "")")
            #expect(error?.description.contains("super-secret-token") == false)
        }
        // Merge keys are read (through Yams's resolver).
        let merged = try scratch.write(
            "merged",
            kubeconfig(user: "token: t0ken", extra: "defaults: &d {namespace: team-b}\nx:\n  <<: *d"))
        #expect(try ClientConfiguration.kubeconfig(path: merged).namespace == "team-a")
        let badKey = ClientConfiguration.TLS(
            clientCertificatePEM: Array(pem.utf8), clientKeyPEM: Array("PRIVATE-KEY-BYTES".utf8))
        let keyError = #expect(throws: KubernetesError.self) { try KubernetesClient.tlsConfiguration(badKey) }
        #expect(keyError?.description.contains("PRIVATE-KEY-BYTES") == false)
    }

    @Test func resolutionOrder() throws {
        let scratch = try Scratch()
        let file = try scratch.write("config", kubeconfig(user: "token: t"))
        let fromEnv = try ClientConfiguration.resolve(environment: ["KUBECONFIG": "/nonexistent:\(file)"])
        #expect(fromEnv.namespace == "team-a")
        let home = scratch.path + "/home"
        try FileManager.default.createDirectory(atPath: home + "/.kube", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: file, toPath: home + "/.kube/config")
        #expect(try ClientConfiguration.resolve(environment: ["HOME": home]).namespace == "team-a")
        let none = #expect(throws: KubernetesError.self) { try ClientConfiguration.resolve(environment: [:]) }
        #expect(none?.message.contains("no Kubernetes configuration") == true)
    }

    @Test func inCluster() throws {
        let scratch = try Scratch()
        try scratch.write("token", "pod-token")
        try scratch.write("ca.crt", pem)
        try scratch.write("namespace", "airlock-system\n")
        let config = try ClientConfiguration.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"],
            mountPath: scratch.path)
        #expect(config.server.absoluteString == "https://10.0.0.1:443")
        #expect(config.namespace == "airlock-system")
        guard case .tokenFile(let path, let interval) = config.credentials else {
            Issue.record("expected token file"); return
        }
        #expect(path == scratch.path + "/token")
        #expect(interval == .seconds(60))
        #expect(throws: KubernetesError.self) {
            try ClientConfiguration.inCluster(environment: [:], mountPath: scratch.path)
        }
    }
}

@Suite struct ExecPluginTests {
    /// A plugin script that counts its runs in a file and prints a credential.
    func plugin(_ scratch: Scratch, apiVersion: String, expiry: String?, exitCode: Int = 0) throws -> String {
        let status =
            expiry.map { #"{"token":"exec-token-'"$n"'","expirationTimestamp":"\#($0)"}"# }
            ?? #"{"token":"exec-token-'"$n"'"}"#
        return try scratch.write(
            "plugin.sh",
            """
            #!/bin/sh
            n=$(($(cat "\(scratch.path)/count" 2>/dev/null || echo 0) + 1))
            echo $n > "\(scratch.path)/count"
            [ -n "$KUBERNETES_EXEC_INFO" ] || exit 3
            [ "$GREETING" = "hello" ] || exit 4
            echo '{"apiVersion":"\(apiVersion)","kind":"ExecCredential","status":\(status)}'
            exit \(exitCode)
            """, executable: true)
    }

    @Test(arguments: ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"])
    func tokenIsCachedUntilExpiry(apiVersion: String) async throws {
        let scratch = try Scratch()
        _ = try plugin(scratch, apiVersion: apiVersion, expiry: "2999-01-01T00:00:00Z")
        let file = try scratch.write(
            "config",
            kubeconfig(
                user:
                    "exec:\n  apiVersion: \(apiVersion)\n  command: ./plugin.sh\n  env:\n  - {name: GREETING, value: hello}"
            ))
        let config = try ClientConfiguration.kubeconfig(path: file)
        let provider = CredentialProvider(config.credentials)
        #expect(try await provider.authorization() == "Bearer exec-token-1")
        #expect(try await provider.authorization() == "Bearer exec-token-1")
        await provider.invalidate()
        #expect(try await provider.authorization() == "Bearer exec-token-2")
    }

    @Test func expiredTokenIsFetchedAgain() async throws {
        let scratch = try Scratch()
        let script = try plugin(scratch, apiVersion: "client.authentication.k8s.io/v1", expiry: "2000-01-01T00:00:00Z")
        let provider = CredentialProvider(
            .exec(
                ExecConfig(apiVersion: "client.authentication.k8s.io/v1", command: script, env: ["GREETING": "hello"])))
        #expect(try await provider.authorization() == "Bearer exec-token-1")
        #expect(try await provider.authorization() == "Bearer exec-token-2")
    }

    @Test func failuresAreClear() async throws {
        let scratch = try Scratch()
        let failing = try plugin(scratch, apiVersion: "client.authentication.k8s.io/v1", expiry: nil, exitCode: 1)
        let config = ExecConfig(
            apiVersion: "client.authentication.k8s.io/v1", command: failing, env: ["GREETING": "hello"])
        let exitError = await #expect(throws: KubernetesError.self) {
            try await ExecCredentialPlugin(config: config).run()
        }
        #expect(exitError?.message == "exec plugin \(failing) exited with status 1")

        let wrongVersion = ExecConfig(
            apiVersion: "client.authentication.k8s.io/v1beta1", command: failing, env: ["GREETING": "hello"])
        try scratch.write("count", "0")
        let other = try plugin(scratch, apiVersion: "client.authentication.k8s.io/v1", expiry: nil)
        let versionError = await #expect(throws: KubernetesError.self) {
            try await ExecCredentialPlugin(
                config: ExecConfig(apiVersion: wrongVersion.apiVersion, command: other, env: ["GREETING": "hello"])
            ).run()
        }
        #expect(versionError?.message.contains("expected client.authentication.k8s.io/v1beta1") == true)

        let missing = await #expect(throws: KubernetesError.self) {
            try await ExecCredentialPlugin(
                config: ExecConfig(apiVersion: "client.authentication.k8s.io/v1", command: "no-such-plugin-xyz")
            ).run()
        }
        #expect(missing?.message == "exec plugin no-such-plugin-xyz: not found on PATH")
    }
}
