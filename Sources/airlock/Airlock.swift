import AirlockCLI
import ArgumentParser
import Foundation
import KubeClient

@main
struct Airlock: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: Invocation.commandName,
            abstract: "Zero standing privilege for Kubernetes: approved, time-bound access for one action.",
            discussion: """
                Agents and people: request, wait, list, describe, whoami, revoke. Reviewers: list --pending, \
                describe, approve, deny, revoke. Agents over the Model Context Protocol: mcp. \
                Exit codes: \(ExitCodeHelp.summary)
                """,
            subcommands: [
                RequestCommand.self, WaitCommand.self, ListCommand.self, DescribeCommand.self, ApproveCommand.self,
                DenyCommand.self, RevokeCommand.self, WhoamiCommand.self, MCPCommand.self, Run.self, Controller.self,
                Demo.self, CRDs.self, Audit.self,
            ],
            // As `kubectl airlock`, no subcommand shows the help (never starts a controller).
            defaultSubcommand: Invocation.isKubectlPlugin ? nil : Run.self
        )
    }

    /// Parses, runs, and exits with the CLI's documented codes: 2 for any usage error (the
    /// message on one line), the command's own code for outcomes, 8 for API errors.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(with: error)
        }
    }

    private static func exit(with error: any Error) -> Never {
        switch error {
        case let failure as CLIFailure:
            Console.err("error: \(failure.message)")
            Foundation.exit(failure.code.rawValue)
        case let usage as CLIUsageError:
            Console.err("error: \(usage.message)")
            Foundation.exit(AirlockExitCode.usage.rawValue)
        case let kube as KubernetesError:
            Console.err("error: \(CLIFailure.api(kube, doing: "Kubernetes API").message)")
            Foundation.exit(AirlockExitCode.apiError.rawValue)
        default:
            break
        }
        if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
        if exitCode(for: error) == .validationFailure {
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "bad arguments"
            Console.err("error: \(message) (see --help)")
            Foundation.exit(AirlockExitCode.usage.rawValue)
        }
        Self.exit(withError: error)
    }
}

/// How the binary was started: as `airlock`, or as the kubectl plugin `kubectl-airlock`
/// (a symlink or copy of the binary by that name, found on PATH by kubectl).
enum Invocation {
    static var isKubectlPlugin: Bool {
        let name = (CommandLine.arguments.first.map { ($0 as NSString).lastPathComponent }) ?? ""
        return name.hasSuffix("kubectl-airlock")
    }

    static var commandName: String { isKubectlPlugin ? "kubectl airlock" : "airlock" }
}

/// The exit codes in one line, for `--help`.
enum ExitCodeHelp {
    static var summary: String {
        AirlockExitCode.allCases.map { "\($0.rawValue) \($0.name)" }.joined(separator: ", ") + "."
    }
}
