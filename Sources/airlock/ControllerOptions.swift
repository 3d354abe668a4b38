import AirlockAdmission
import AirlockController
import AirlockPolicy
import ArgumentParser
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

/// Settings of the operator process.
struct ControllerOptions: ParsableArguments {
    @Option(help: "Airlock's own namespace (default: $POD_NAMESPACE or airlock-system).")
    var namespace: String = ProcessInfo.processInfo.environment["POD_NAMESPACE"] ?? "airlock-system"

    @Option(help: "Airlock's ServiceAccount name; with --namespace it makes the controller's username.")
    var serviceAccount = "airlock"

    @Option(help: "The controller's username, if not its ServiceAccount (out-of-cluster runs).")
    var controllerUsername: String?

    @Option(help: "Port of /metrics, /healthz and /readyz.")
    var metricsPort = 8080

    @Option(help: "Port of the HTTPS admission webhook.")
    var webhookPort = 9443

    @Option(help: "Directory with tls.crt and tls.key for the webhook (cert-manager); default: self-bootstrapped CA.")
    var webhookCertDir: String?

    @Option(help: "Extra DNS name for the self-bootstrapped webhook certificate (repeatable).")
    var webhookDNSName: [String] = []

    @Option(help: "Extra IP address for the self-bootstrapped webhook certificate (repeatable).")
    var webhookIP: [String] = []

    @Option(
        help:
            "Base URL the API server calls the webhook at, if not the Service airlock-webhook in --namespace (port 443)."
    )
    var webhookURL: String?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Watch the webhook configurations; refuse requests and reviews created while they are missing or altered.")
    var verifyWebhooks = true

    @Flag(inversion: .prefixedNo, help: "Elect a leader among replicas with a Lease.")
    var leaderElect = true

    @Option(help: "Name of the leader-election Lease.")
    var leaseName = "airlock-controller"

    @Option(
        help:
            "How long a Lease holds after its last renewal (e.g. 15s); the renew deadline (2/3) and retry period (2/15) scale with it."
    )
    var leaseDuration: KubeDuration = KubeDuration(seconds: 15)

    /// Leader election as the flags ask for it (nil with --no-leader-elect).
    var leaderElection: LeaderElectionConfiguration? {
        guard leaderElect else { return nil }
        let lease = Duration.seconds(max(leaseDuration.seconds, 1))
        return LeaderElectionConfiguration(
            leaseName: leaseName, namespace: namespace, leaseDuration: lease, renewDeadline: lease * 2 / 3,
            retryPeriod: lease * 2 / 15)
    }

    @Option(help: "Watch ActionRequests and ActionReviews in this namespace only (default: every namespace).")
    var watchNamespace: String?

    @Option(help: "Concurrent reconciles (expiries are served before new requests).")
    var workers = 32

    @Option(
        name: .customLong("kube-api-qps"),
        help:
            "Client-side limit on API calls per second (0 or less: none; the API server's own fairness still applies)."
    )
    var kubeAPIQPS: Double = 1000

    @Option(help: "Client-side burst of API calls above the QPS limit (0 or less: no limit).")
    var kubeAPIBurst: Int = 2000

    @Flag(
        name: .customLong("kube-api-http2"),
        help:
            "Speak HTTP/2 to the API server (default HTTP/1.1, a connection per concurrent call: about a quarter less CPU per call)."
    )
    var kubeAPIHTTP2 = false

    @Option(
        help:
            "Kubernetes Events sent per second (0 or less: no limit). Events wait under a burst rather than slow grants down."
    )
    var eventQPS: Double = 25

    @Option(help: "Events sent at once above --event-qps (0 or less: no limit).")
    var eventBurst: Int = 100

    /// The pace of Events the flags ask for (nil: none).
    var eventRateLimit: ClientConfiguration.RateLimit? { Self.limit(qps: eventQPS, burst: eventBurst) }

    /// The client-side rate limit the flags ask for (nil: none).
    var rateLimit: ClientConfiguration.RateLimit? { Self.limit(qps: kubeAPIQPS, burst: kubeAPIBurst) }

    /// A limit from a pair of flags; either at 0 or less means none.
    private static func limit(qps: Double, burst: Int) -> ClientConfiguration.RateLimit? {
        guard qps > 0, burst > 0 else { return nil }
        return ClientConfiguration.RateLimit(qps: qps, burst: burst)
    }

    @Option(help: "How often the sweeper looks for stale grants (e.g. 30s).")
    var sweepInterval: KubeDuration = KubeDuration(seconds: 30)

    @Option(help: "Append-only, hash-chained audit file (verify with `airlock audit verify`).")
    var auditFile: String?

    @Option(help: "No grant lasts longer than this, whatever the policies say.")
    var hardCap: KubeDuration = KubeDuration(seconds: 12 * 3600)

    @Option(help: "Maximum duration when no policy says otherwise.")
    var defaultMaxDuration: KubeDuration = KubeDuration(seconds: 3600)

    @Option(help: "How long a request may wait for reviews when no policy says otherwise.")
    var defaultPendingTimeout: KubeDuration = KubeDuration(seconds: 3600)

    @Option(help: "API server URL written into credential kubeconfigs (default: the one Airlock uses).")
    var credentialServer: String?

    /// Where the webhook configurations must point.
    var webhookEndpoint: WebhookConfigurations.Endpoint {
        webhookURL.map(WebhookConfigurations.Endpoint.url)
            ?? .service(namespace: namespace, name: WebhookConfigurations.defaultServiceName, port: 443)
    }

    /// The webhook configurations the controller insists on, when it verifies them.
    var expectedWebhooks: ExpectedWebhooks? {
        guard verifyWebhooks else { return nil }
        return ExpectedWebhooks(
            mutating: WebhookConfigurations.mutating(endpoint: webhookEndpoint),
            validating: WebhookConfigurations.validating(endpoint: webhookEndpoint))
    }

    var username: String {
        controllerUsername ?? "system:serviceaccount:\(namespace):\(serviceAccount)"
    }

    var policy: PolicyConfiguration {
        var configuration = PolicyConfiguration(controllerNamespace: namespace)
        configuration.hardCap = hardCap
        configuration.defaultMaxDuration = defaultMaxDuration
        configuration.defaultPendingTimeout = defaultPendingTimeout
        return configuration
    }
}

extension KubeDuration: ExpressibleByArgument {
    public init?(argument: String) {
        try? self.init(parsing: argument)
    }
}
