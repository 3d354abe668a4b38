import AirlockAPI
import AirlockCLI
import Foundation
import KubeClient
import KubeCore

/// Writes the credential of a granted Ephemeral request — the `kubeconfig` key of the Secret
/// named by `status.credentialSecretName` — to a file only its owner can read.
enum CredentialFile {
    /// Reads the Secret (retrying for a while: the RoleBinding that lets the requester read it
    /// is brand new, and the API server's authorizer may not see it yet) and writes its
    /// kubeconfig to `path` with mode 0600. The token is never printed.
    static func write(
        client: KubernetesClient, secretName: String, namespace: String, to path: String,
        timeout: Duration = .seconds(15)
    ) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var secret: Secret?
        while secret == nil {
            do {
                secret = try await client.get(Secret.self, name: secretName, namespace: namespace)
            } catch let error as KubernetesError where (error.isForbidden || error.isNotFound) && clock.now < deadline {
                try await clock.sleep(for: .milliseconds(100))
            } catch let error as KubernetesError {
                throw CLIFailure.api(error, doing: "read the credential Secret \(namespace)/\(secretName)")
            }
        }
        guard let kubeconfig = secret?.data?["kubeconfig"], !kubeconfig.isEmpty else {
            throw CLIFailure(.failure, "the credential Secret \(namespace)/\(secretName) has no kubeconfig key")
        }
        try writePrivate(kubeconfig, to: path)
    }

    /// Writes `data` to `path` so that it is never readable by anyone but the owner, not even
    /// for a moment: a new file created with mode 0600 (O_EXCL) next to `path`, written and
    /// synced, then renamed over `path`.
    static func writePrivate(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIFailure(.failure, "--kubeconfig-out \(path): directory \(directory) does not exist")
        }
        let temporary = "\(directory)/.\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CLIFailure(.failure, "--kubeconfig-out \(path): cannot create a file in \(directory): \(errnoText())")
        }
        var failure: String?
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errnoText()
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = errnoText() }
        // umask can only remove bits; make sure nothing else was set either.
        if failure == nil, fchmod(descriptor, 0o600) != 0 { failure = errnoText() }
        close(descriptor)
        if failure == nil, rename(temporary, path) != 0 { failure = errnoText() }
        if let failure {
            unlink(temporary)
            throw CLIFailure(.failure, "--kubeconfig-out \(path): cannot write: \(failure)")
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
