import ArgumentParser
import Foundation
import KubeClient
import Logging

/// Which cluster to talk to.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Path to a kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use (default: its current-context).")
    var context: String?

    /// Whether the user pointed at a cluster (flag, $KUBECONFIG, or running in a pod).
    var isClusterConfigured: Bool {
        let environment = ProcessInfo.processInfo.environment
        return kubeconfig != nil || environment["KUBECONFIG"] != nil || environment["KUBERNETES_SERVICE_HOST"] != nil
    }

    func clientConfiguration() throws -> ClientConfiguration {
        try ClientConfiguration.resolve(explicitPath: kubeconfig, context: context)
    }
}

/// How the process logs.
struct LogOptions: ParsableArguments {
    @Option(help: "Log format: json (default) or text.")
    var logFormat: LogFormat = .json

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func bootstrap() {
        LogBootstrap.bootstrap(format: logFormat, level: logLevel)
    }
}

extension LogFormat: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
