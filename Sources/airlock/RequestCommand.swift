import AirlockAPI
import AirlockCLI
import ArgumentParser
import Foundation
import KubeClient
import KubeCore

/// `airlock request`: asks for access (an ActionRequest), and with `--wait` follows it to
/// its decision.
struct RequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Ask for access for one action and a limited time; with --wait, wait for the decision.",
        discussion: """
            --allow 'VERBS TARGETS [-n NAMESPACE | -A]'  (repeatable)
              VERBS    get,list,watch,create,update,patch,delete,deletecollection (comma-separated; no *)
              TARGETS  RESOURCE[.GROUP][/NAME][/SUBRESOURCE], comma-separated
                       the plural RBAC resource; GROUP for every non-core group (deployments.apps);
                       RESOURCE/SUBRESOURCE for known subresources (pods/log, pods/exec, deployments.apps/scale)
              -n NS    the namespace the access is for; -A asks cluster-wide; neither: cluster-scoped resources only
            Examples:
              --allow 'delete pods/db-0 -n prod'          --allow 'get,list pods -n prod'
              --allow 'patch deployments.apps/web -n prod' --allow 'get pods/log -n prod'
              --allow 'get nodes'                          --allow 'get secrets/app-config -n prod'
            --role 'Role|ClusterRole/NAME -n NAMESPACE'  (or -A for a ClusterRole cluster-wide)

            -n/--namespace is where the ActionRequest itself lives (your agent's namespace), never where \
            access goes: that is inside the --allow and --role strings.

            Without --wait it exits 0 once the request is created and evaluated (pending or granted), or with \
            the outcome's code when it was decided against at once (3 denied). With --wait (implied by \
            --kubeconfig-out) it exits 0 when granted, else: \
            \(ExitCodeHelp.summary) A bad --allow or --role string exits 2 and creates nothing.
            """)

    @OptionGroup var options: CLIOptions

    @Option(help: "Access in the --allow grammar (repeatable), e.g. 'delete pods/db-0 -n prod'.")
    var allow: [String] = []

    @Option(help: "An existing role to be granted: 'ClusterRole/view -n prod' (or -A for cluster-wide).")
    var role: String?

    @Option(name: .customLong("for"), help: "How long the access should last once granted, e.g. 15m, 1h.")
    var duration: String

    @Option(help: "Why the access is needed (shown to reviewers, kept in the audit trail).")
    var reason: String

    @Option(help: "A ticket or incident reference.")
    var ticket: String?

    @Option(help: "Ephemeral (default: a fresh ServiceAccount and a kubeconfig for it) or Subject (your own identity).")
    var credential: String?

    @Option(help: "Name of the ActionRequest (default: generated from what is asked).")
    var name: String?

    @Flag(help: "Wait for the decision; exit 0 only when granted.")
    var wait = false

    @Option(help: "With --wait: how long to wait for a decision, e.g. 10m (the request goes on after).")
    var timeout: String = "10m"

    @Option(help: "Write the granted credential's kubeconfig here, mode 0600 (credential Ephemeral; implies --wait).")
    var kubeconfigOut: String?

    func run() async throws {
        let (spec, waitTimeout) = try validated()
        let context = try CLIContext.make(options)
        try await context.run { context in
            var request = ActionRequest(metadata: ObjectMeta(namespace: context.namespace), spec: spec)
            if let name {
                request.metadata.name = name
            } else {
                request.metadata.generateName = RequestNames.generateName(spec)
            }
            let created = try await api("create actionrequest in namespace \(context.namespace)") {
                try await context.client.create(request)
            }
            let createdName = created.metadata.name ?? ""
            guard wait || kubeconfigOut != nil else {
                let evaluated = try await RequestWatch.firstEvaluation(
                    client: context.client, request: created, timeout: .seconds(5))
                let summary = RequestSummary(evaluated, now: Date())
                try context.emit(summary, text: Self.createdText(summary, palette: context.palette))
                // Decided against at once (a guardrail or policy): say so in the exit code too.
                if let outcome = summary.outcome, outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
                return
            }
            if context.liveStatus { Console.err("created \(context.namespace)/\(createdName)") }
            try await RequestWatch.waitAndReport(
                createdName, context: context, timeout: waitTimeout, kubeconfigOut: kubeconfigOut)
        }
    }

    /// Checks every input before anything is sent: a bad one is a usage error (exit 2).
    func validated() throws(CLIUsageError) -> (ActionRequestSpec, Duration) {
        guard !allow.isEmpty || role != nil else {
            throw CLIUsageError(
                "say what to allow: --allow 'VERBS TARGET -n NAMESPACE' and/or --role 'KIND/NAME -n NS'")
        }
        let permissions = try AllowGrammar.parse(allow)
        let roleRef = try role.map { text throws(CLIUsageError) in try RoleArgument.parse(text) }
        let duration: KubeDuration
        do {
            duration = try KubeDuration(parsing: self.duration)
        } catch {
            throw CLIUsageError("--for \(self.duration): not a duration; write e.g. 15m, 1h, 90s")
        }
        guard duration.seconds > 0 else { throw CLIUsageError("--for must be longer than 0s") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw CLIUsageError("--reason is empty: say why the access is needed")
        }
        let mode: CredentialMode?
        switch credential?.lowercased() {
        case nil: mode = nil
        case "ephemeral": mode = .ephemeral
        case "subject": mode = .subject
        default: throw CLIUsageError("--credential is Ephemeral or Subject, not \(credential ?? "")")
        }
        if mode == .subject, kubeconfigOut != nil {
            throw CLIUsageError(
                "--kubeconfig-out: with --credential Subject your own identity is bound; there is no separate"
                    + " credential to write (drop --kubeconfig-out, keep using your kubeconfig)")
        }
        let waitTimeout: KubeDuration
        do {
            waitTimeout = try KubeDuration(parsing: timeout)
        } catch {
            throw CLIUsageError("--timeout \(timeout): not a duration; write e.g. 10m")
        }
        if let name, !(name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." }) || name.isEmpty {
            throw CLIUsageError("--name \(name): lowercase letters, digits, '-' and '.' only")
        }
        let spec = ActionRequestSpec(
            reason: reason, ticket: ticket, duration: duration, permissions: permissions.isEmpty ? nil : permissions,
            roleRef: roleRef, credential: mode)
        return (spec, waitTimeout.duration)
    }

    static func createdText(_ summary: RequestSummary, palette: Palette) -> String {
        var text = "created \(summary.namespace)/\(summary.name): \(palette.phase(summary.phase))"
        if let outcome = summary.outcome {
            text += " (\(outcome.reason)): \(outcome.message)"
        } else if summary.decision?.outcome == DecisionOutcome.autoApprove.rawValue {
            text += ": auto-approved, being granted"
        } else if let decision = summary.decision {
            let approvals = "\(summary.approvals.counted) of \(summary.approvals.required ?? 1) approvals"
            text += ": needs review, \(approvals)" + (decision.reviewers.map { " from \($0)" } ?? "")
        } else {
            text += ": not evaluated yet (is the Airlock controller running?)"
        }
        return text + "\nwait for the decision: \(Invocation.commandName) wait \(summary.name) -n \(summary.namespace)"
    }
}
