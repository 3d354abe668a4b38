import ArgumentParser
import KubeClient
import KubeRuntime
import Logging

/// `airlock controller`: runs the operator against the configured cluster.
struct Controller: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller", abstract: "Run the Airlock operator (controllers, admission webhook, metrics).")

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var controller: ControllerOptions
    @OptionGroup var chat: ChatOptions
    @OptionGroup var log: LogOptions

    func run() async throws {
        MallocArenas.limit()
        // Before any task starts: hops between event loops and Dispatch's pool cost the
        // controller about a tenth of its CPU (issue 9).
        let onEventLoops = EventLoopExecutor.install()
        log.bootstrap()
        let logger = Logger(label: "airlock")
        logger.info("Swift tasks run on \(onEventLoops ? "NIO's event loops" : "the default executor")")
        var configuration = try cluster.clientConfiguration()
        configuration.rateLimit = controller.rateLimit
        configuration.http1Only = !controller.kubeAPIHTTP2
        let client = try KubernetesClient(configuration: configuration, logger: logger)
        do {
            try await OperatorProcess(client: client, options: controller, logger: logger, chat: chat).run()
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}

/// `airlock` / `airlock run`: the controller when a cluster is configured, else the demo.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run Airlock: against the configured cluster, or a local demo environment when none is configured.")

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var log: LogOptions

    @Flag(help: "Local demo only: click Approve for you and exit at the end (CI).")
    var scripted = false

    func validate() throws {
        if scripted && cluster.isClusterConfigured {
            throw ValidationError(
                "--scripted is for the local demo; a cluster is configured (--kubeconfig, $KUBECONFIG or in-cluster)")
        }
    }

    func run() async throws {
        if cluster.isClusterConfigured {
            var command = Controller()
            command.cluster = cluster
            command.log = log
            command.controller = try ControllerOptions.parse([])
            command.chat = ChatOptions.off
            try await command.run()
        } else {
            var demo = try Demo.parse(scripted ? ["--scripted"] : [])
            demo.log = log
            try await demo.run()
        }
    }
}
