import AirlockAPI
import AirlockCLI
import ArgumentParser
import Foundation
import KubeClient
import KubeCore

/// `airlock wait NAME`: follows a request until it is decided (granted or finished).
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until a request is decided; exit 0 when granted, else its outcome's code.",
        discussion: "Exit codes: \(ExitCodeHelp.summary)")

    @OptionGroup var options: CLIOptions

    @Argument(help: "Name of the ActionRequest.")
    var name: String

    @Option(help: "How long to wait, e.g. 10m (exit 7 when it runs out; the request goes on).")
    var timeout: String = "10m"

    @Option(help: "Once granted, write the credential's kubeconfig here, mode 0600 (credential Ephemeral).")
    var kubeconfigOut: String?

    func run() async throws {
        let limit: Duration
        do {
            limit = try KubeDuration(parsing: timeout).duration
        } catch {
            throw CLIUsageError("--timeout \(timeout): not a duration; write e.g. 10m")
        }
        let context = try CLIContext.make(options)
        try await context.run { context in
            if kubeconfigOut != nil {
                let request = try await api("get actionrequest \(context.namespace)/\(name)") {
                    try await context.client.get(ActionRequest.self, name: name, namespace: context.namespace)
                }
                if request.spec.effectiveCredential == .subject {
                    throw CLIUsageError(
                        "--kubeconfig-out: \(name) uses credential Subject (your own identity); there is no separate"
                            + " credential to write")
                }
            }
            try await RequestWatch.waitAndReport(name, context: context, timeout: limit, kubeconfigOut: kubeconfigOut)
        }
    }
}

extension RequestWatch {
    /// What `request --wait` and `wait` share: follows `name` with a live line on a terminal,
    /// writes the credential's kubeconfig to `kubeconfigOut` once granted, prints the outcome
    /// and exits with its code.
    static func waitAndReport(
        _ name: String, context: CLIContext, timeout: Duration, kubeconfigOut: String?
    ) async throws {
        let live = LiveStatus(enabled: context.liveStatus)
        var outcome = try await follow(
            client: context.client, name: name, namespace: context.namespace, timeout: timeout,
            needsCredential: kubeconfigOut != nil, tick: context.liveStatus, status: { live.show($0) })
        live.clear()
        if outcome.granted, let path = kubeconfigOut, let secret = outcome.credentialSecretName {
            try await CredentialFile.write(
                client: context.client, secretName: secret, namespace: context.namespace, to: path)
            outcome.kubeconfigPath = path
        }
        try context.emit(outcome, text: Rendering.outcome(outcome, palette: context.palette))
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
