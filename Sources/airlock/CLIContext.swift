import AirlockCLI
import ArgumentParser
import Foundation
import KubeClient
import KubeCore
import Logging
import Synchronization

/// How a command prints what a script reads.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, yaml
}

/// The options every agent and reviewer command shares: which cluster and user (like
/// kubectl), which namespace the ActionRequests live in, and the output format.
struct CLIOptions: ParsableArguments {
    @OptionGroup var cluster: ClusterOptions

    @Option(
        name: [.customShort("n"), .long],
        help: "Namespace of the ActionRequest (default: the kubeconfig context's, else default).")
    var namespace: String?

    @Option(name: [.customShort("o"), .long], help: "Output: text (default), json or yaml.")
    var output: OutputFormat = .text
}

/// What a running CLI command works with: the client as the kubeconfig's user, the request
/// namespace, and the terminal's abilities.
struct CLIContext {
    let client: KubernetesClient
    let namespace: String
    let output: OutputFormat
    /// Colour on stdout (a terminal, and `NO_COLOR` unset, and text output).
    let palette: Palette
    /// A live status line on stderr (a terminal).
    let liveStatus: Bool

    static func make(_ options: CLIOptions) throws -> CLIContext {
        CLILogging.bootstrapOnce()
        let configuration: ClientConfiguration
        do {
            configuration = try options.cluster.clientConfiguration()
        } catch let error as KubernetesError {
            throw CLIFailure(.apiError, error.message)
        }
        let namespace = options.namespace ?? configuration.namespace ?? "default"
        let client = try KubernetesClient(configuration: configuration, logger: CLILogging.logger)
        let environment = ProcessInfo.processInfo.environment
        let colour = isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
        return CLIContext(
            client: client, namespace: namespace, output: options.output,
            palette: Palette(enabled: colour && options.output == .text),
            liveStatus: isatty(STDERR_FILENO) == 1 && environment["TERM"] != "dumb")
    }

    /// Runs `body`, then closes the client whatever happened.
    func run<T>(_ body: (CLIContext) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Prints `value` as JSON or YAML, or `text` for people.
    func emit<T: Encodable>(_ value: T, text: @autoclosure () -> String) throws {
        switch output {
        case .text: Console.out(text())
        case .json: Console.out(try CLIEncoding.json(value))
        case .yaml: Console.out(try KubeYAML.encode(value))
        }
    }
}

/// JSON for scripts: sorted keys, pretty, RFC 3339 dates.
enum CLIEncoding {
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = KubeJSON.encoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}

/// Output that never interleaves badly: stdout for answers, stderr for errors and status.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}

/// The CLI logs warnings and worse to stderr; stdout carries only answers (and, for
/// `airlock mcp`, only JSON-RPC).
enum CLILogging {
    private static let done = Mutex(false)

    static func bootstrapOnce(level: Logger.Level = .warning) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    static var logger: Logger { Logger(label: "airlock.cli") }
}

/// A command failed with a known exit code and a one-line message.
struct CLIFailure: Error, CustomStringConvertible {
    var code: AirlockExitCode
    var message: String

    init(_ code: AirlockExitCode, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }

    /// A Kubernetes API error in one line a person can act on.
    static func api(_ error: KubernetesError, doing what: String) -> CLIFailure {
        let hint: String
        if error.isUnauthorized {
            hint = " (check the kubeconfig user's credentials)"
        } else if error.isForbidden {
            hint = " (ask for the airlock-requester or airlock-reviewer role in this namespace)"
        } else if error.kind == .transport {
            hint = " (is the API server reachable? check --kubeconfig and --context)"
        } else {
            hint = ""
        }
        let code = error.code.map { "\($0) " } ?? ""
        let reason = error.reason.map { "\($0): " } ?? ""
        var message = error.message
        if !error.causes.isEmpty {
            message +=
                " (" + error.causes.map { "\($0.field ?? "?"): \($0.message ?? "")" }.joined(separator: "; ") + ")"
        }
        return CLIFailure(.apiError, "\(what): \(code)\(reason)\(message)\(hint)")
    }
}

/// Runs an API call and turns its error into a one-line ``CLIFailure``.
func api<T>(_ what: String, _ call: () async throws -> T) async throws -> T {
    do {
        return try await call()
    } catch let error as KubernetesError {
        throw CLIFailure.api(error, doing: what)
    }
}
