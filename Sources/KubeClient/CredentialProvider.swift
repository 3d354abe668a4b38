import Foundation
import KubeCore

/// Supplies the bearer token for each request: a fixed token, a token file re-read
/// periodically, or an exec plugin's token cached until its expiry.
actor CredentialProvider {
    private let credentials: ClientConfiguration.Credentials
    private var cached: (token: String, validUntil: ContinuousClock.Instant?)?
    private let clock = ContinuousClock()

    init(_ credentials: ClientConfiguration.Credentials) {
        self.credentials = credentials
    }

    /// The `Authorization` header value, or nil for anonymous requests.
    func authorization() async throws -> String? {
        guard let token = try await token() else { return nil }
        return "Bearer " + token
    }

    /// Drops a cached token (after a 401), so the next request fetches a fresh one.
    func invalidate() {
        cached = nil
    }

    /// Whether `invalidate()` can produce a different token.
    nonisolated var canRefresh: Bool {
        switch credentials {
        case .none, .token: return false
        case .tokenFile, .exec: return true
        }
    }

    private func token() async throws -> String? {
        if let cached, cached.validUntil.map({ clock.now < $0 }) ?? true { return cached.token }
        switch credentials {
        case .none:
            return nil
        case .token(let token):
            return token
        case .tokenFile(let path, let refreshInterval):
            guard let data = FileManager.default.contents(atPath: path),
                let text = String(data: data, encoding: .utf8)
            else {
                throw KubernetesError.configuration("token file \(path): cannot read it")
            }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw KubernetesError.configuration("token file \(path): is empty") }
            cached = (token, clock.now.advanced(by: refreshInterval))
            return token
        case .exec(let config):
            let credential = try await ExecCredentialPlugin(config: config).run()
            var validUntil: ContinuousClock.Instant?
            if let expiry = credential.expirationTimestamp {
                // Refresh a little before the plugin's own expiry.
                let remaining = expiry.timeIntervalSinceNow - 10
                validUntil = clock.now.advanced(by: .milliseconds(Int64(max(0, remaining) * 1000)))
            }
            cached = (credential.token, validUntil)
            return credential.token
        }
    }
}

/// Runs a `client.authentication.k8s.io` exec plugin and reads its `ExecCredential`.
struct ExecCredentialPlugin {
    static let supportedVersions: Set<String> = [
        "client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1",
    ]

    struct Credential {
        var token: String
        var expirationTimestamp: Date?
    }

    private struct ExecCredential: Decodable {
        struct Status: Decodable {
            var token: String?
            var expirationTimestamp: Date?
            var clientCertificateData: String?
        }
        var apiVersion: String?
        var kind: String?
        var status: Status?
    }

    var config: ExecConfig

    func run() async throws -> Credential {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executablePath())
        process.arguments = config.args
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in config.env { environment[name] = value }
        environment["KUBERNETES_EXEC_INFO"] =
            #"{"apiVersion":"\#(config.apiVersion)","kind":"ExecCredential","spec":{"interactive":false}}"#
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice

        let output: Data = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { _ in }
            do {
                try process.run()
            } catch {
                continuation.resume(
                    throwing: KubernetesError.configuration("exec plugin \(config.command): cannot start (\(error))"))
                return
            }
            // Read to EOF before waiting, so a large output cannot block the plugin.
            DispatchQueue.global().async {
                let data = stdout.fileHandleForReading.readDataToEndOfFile()
                _ = stderr.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: data)
            }
        }
        guard process.terminationStatus == 0 else {
            throw KubernetesError.configuration(
                "exec plugin \(config.command) exited with status \(process.terminationStatus)")
        }
        let credential: ExecCredential
        do {
            credential = try KubeJSON.decoder().decode(ExecCredential.self, from: output)
        } catch {
            throw KubernetesError.configuration("exec plugin \(config.command): output is not an ExecCredential")
        }
        guard credential.kind == "ExecCredential" else {
            throw KubernetesError.configuration("exec plugin \(config.command): output kind is not ExecCredential")
        }
        guard let apiVersion = credential.apiVersion, apiVersion == config.apiVersion else {
            throw KubernetesError.configuration(
                "exec plugin \(config.command): answered apiVersion \(credential.apiVersion ?? "none"), expected \(config.apiVersion)"
            )
        }
        guard let token = credential.status?.token, !token.isEmpty else {
            if credential.status?.clientCertificateData != nil {
                throw KubernetesError.configuration(
                    "exec plugin \(config.command): client certificates from exec plugins are not supported")
            }
            throw KubernetesError.configuration("exec plugin \(config.command): status.token is missing")
        }
        return Credential(token: token, expirationTimestamp: credential.status?.expirationTimestamp)
    }

    private func executablePath() throws -> String {
        let command = config.command
        if command.hasPrefix("/") { return command }
        if command.contains("/") { return (config.baseDirectory ?? ".") + "/" + command }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw KubernetesError.configuration("exec plugin \(command): not found on PATH")
    }
}
