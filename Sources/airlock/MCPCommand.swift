import AirlockCLI
import ArgumentParser
import Foundation
import KubeClient
import Logging

/// `airlock mcp`: a Model Context Protocol server on stdio for agents, acting as the
/// requesting identity. Only JSON-RPC is written to stdout; logs go to stderr.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve agents over the Model Context Protocol (stdio): request_access, wait_for_decision, ...",
        discussion: """
            Runs as the identity of --kubeconfig/--context (or the pod's ServiceAccount in a cluster). \
            Tools: request_access, wait_for_decision, get_request, list_my_requests, release_access. \
            See docs/agents.md for Claude Desktop, Claude Code, Cursor and other clients.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Option(
        name: [.customShort("n"), .long],
        help: "Default namespace of the agent's ActionRequests (default: the context's or the pod's, else default).")
    var namespace: String?

    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    func run() async throws {
        CLILogging.bootstrapOnce(level: logLevel)
        let logger = Logger(label: "airlock.mcp")
        let configuration: ClientConfiguration
        do {
            configuration = try cluster.clientConfiguration()
        } catch let error as KubernetesError {
            throw CLIFailure(.apiError, error.message)
        }
        let client = try KubernetesClient(configuration: configuration, logger: logger)
        let tools = MCPTools(client: client, defaultNamespace: namespace ?? configuration.namespace ?? "default")
        let server = MCPProtocol(
            server: MCPServerInfo(
                name: "airlock", title: "Airlock: approved, time-bound Kubernetes access",
                version: AirlockVersion.current, instructions: MCPToolDefinitions.serverInstructions),
            tools: MCPToolDefinitions.tools)
        await MCPStdioServer(
            protocolHandler: server,
            call: { name, arguments in
                logger.info("tool call", metadata: ["tool": "\(name)"])
                return await tools.call(name, arguments)
            }, logger: logger
        ).run()
        try? await client.shutdown()
    }
}

/// The version the CLI and the MCP server report.
enum AirlockVersion {
    static let current = "0.1.0"
}
