import Foundation
import KubeCore

/// Everything needed to talk to one API server as one user. Built from a kubeconfig, from
/// the in-cluster service account, or directly (tests).
public struct ClientConfiguration: Sendable {
    /// `https://host:port`, without a trailing slash.
    public var server: URL
    public var tls: TLS
    public var credentials: Credentials
    /// The default namespace (kubeconfig context or the pod's namespace).
    public var namespace: String?
    /// Client-side rate limit; nil disables it.
    public var rateLimit: RateLimit?
    /// Retries of idempotent calls answered 429.
    public var maxRetries: Int
    /// Time limit of a non-watch request.
    public var requestTimeout: Duration
    public var userAgent: String
    /// HTTP/1.1 only: unary calls over keep-alive connections of their own (``HTTP1Transport``,
    /// a connection per concurrent call), each watch over a connection of its own. Less CPU
    /// per call than HTTP/2 streams. False: everything over AsyncHTTPClient, HTTP/2 when the
    /// server offers it (fewer connections for a client with many concurrent watches).
    public var http1Only = true
    /// Called before every request is sent; what it throws fails that request as if the API
    /// server had answered it. For fault injection in tests and chaos runs; nil in production.
    public var interceptor: RequestInterceptor?

    public init(
        server: URL, tls: TLS = TLS(), credentials: Credentials = .none, namespace: String? = nil,
        rateLimit: RateLimit? = RateLimit(), maxRetries: Int = 3, requestTimeout: Duration = .seconds(30),
        userAgent: String = "airlock", interceptor: RequestInterceptor? = nil
    ) {
        self.server = server
        self.tls = tls
        self.credentials = credentials
        self.namespace = namespace
        self.rateLimit = rateLimit
        self.maxRetries = maxRetries
        self.requestTimeout = requestTimeout
        self.userAgent = userAgent
        self.interceptor = interceptor
    }

    /// TLS material, all PEM bytes.
    public struct TLS: Sendable {
        public var certificateAuthorityPEM: [UInt8]?
        public var clientCertificatePEM: [UInt8]?
        public var clientKeyPEM: [UInt8]?
        public var insecureSkipVerify: Bool

        public init(
            certificateAuthorityPEM: [UInt8]? = nil, clientCertificatePEM: [UInt8]? = nil,
            clientKeyPEM: [UInt8]? = nil, insecureSkipVerify: Bool = false
        ) {
            self.certificateAuthorityPEM = certificateAuthorityPEM
            self.clientCertificatePEM = clientCertificatePEM
            self.clientKeyPEM = clientKeyPEM
            self.insecureSkipVerify = insecureSkipVerify
        }
    }

    /// How requests are authenticated (besides a TLS client certificate).
    public enum Credentials: Sendable {
        case none
        case token(String)
        /// A token file re-read every `refreshInterval` (rotated service-account tokens).
        case tokenFile(path: String, refreshInterval: Duration)
        /// A `client.authentication.k8s.io` exec credential plugin.
        case exec(ExecConfig)
    }

    /// Token-bucket limit: `qps` sustained, `burst` at once.
    public struct RateLimit: Sendable, Equatable {
        public var qps: Double
        public var burst: Int
        public init(qps: Double = 100, burst: Int = 200) {
            self.qps = qps
            self.burst = burst
        }
    }
}

/// Sees each request before it is sent (see ``ClientConfiguration/interceptor``).
public typealias RequestInterceptor = @Sendable (KubeRequest) throws -> Void

/// A kubeconfig `users[].user.exec` entry.
public struct ExecConfig: Sendable, Equatable {
    /// `client.authentication.k8s.io/v1` or `.../v1beta1`.
    public var apiVersion: String
    public var command: String
    public var args: [String]
    public var env: [String: String]
    /// Where relative command paths are resolved (the kubeconfig's directory).
    public var baseDirectory: String?

    public init(
        apiVersion: String, command: String, args: [String] = [], env: [String: String] = [:],
        baseDirectory: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.command = command
        self.args = args
        self.env = env
        self.baseDirectory = baseDirectory
    }
}
