import AsyncHTTPClient
import Foundation
import KubeCore
import Logging
import Metrics
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL

/// A client for one API server and one identity: the generic resource API (get, list,
/// create, update, status, patch, delete, watch), with client-side rate limiting and retries
/// of idempotent calls answered 429. Unary calls go over ``HTTP1Transport`` (or, with HTTP/2
/// allowed, AsyncHTTPClient); watches stream over AsyncHTTPClient.
///
/// Call `shutdown()` when done; it closes every connection. A client dropped without it (a
/// test that failed half-way, say) closes them in the background instead.
public final class KubernetesClient: Sendable {
    public let configuration: ClientConfiguration
    let http: HTTPClient
    /// The unary calls' transport; nil when HTTP/2 is allowed (AsyncHTTPClient does those).
    let unary: HTTP1Transport?
    let credentials: CredentialProvider
    let limiter: RateLimiter<ContinuousClock>?
    let interceptor: RequestInterceptor?
    let logger: Logger
    /// Largest answer body read into memory (a 10,000-object list is a few tens of MB).
    let maxBodyBytes = 512 * 1024 * 1024

    public init(configuration: ClientConfiguration, logger: Logger = Logger(label: "airlock.kubeclient")) throws {
        self.configuration = configuration
        self.logger = logger
        self.credentials = CredentialProvider(configuration.credentials)
        self.interceptor = configuration.interceptor
        self.limiter = configuration.rateLimit.map {
            RateLimiter(qps: $0.qps, burst: $0.burst, clock: ContinuousClock())
        }
        let tls = try Self.tlsConfiguration(configuration.tls)
        self.unary =
            configuration.http1Only
            ? try HTTP1Transport(server: configuration.server, tls: tls, group: HTTPClient.defaultEventLoopGroup) : nil
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.tlsConfiguration = tls
        httpConfiguration.timeout = .init(connect: .seconds(10))
        httpConfiguration.connectionPool = .init(
            idleTimeout: .seconds(90), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        if configuration.http1Only { httpConfiguration.httpVersion = .http1Only }
        httpConfiguration.redirectConfiguration = .disallow
        httpConfiguration.decompression = .disabled
        // No distributed tracing: without this, every call opens a span on the global no-op
        // tracer and re-parses its URL for the span's attributes.
        httpConfiguration.tracing.tracer = nil
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
    }

    /// Closes every connection. In-flight requests fail.
    public func shutdown() async throws {
        unary?.shutdown()
        try await http.shutdown()
    }

    deinit {
        // AsyncHTTPClient stops a debug process whose client goes unreleased: one failed
        // `eventually` would take every other test down with it. Its shutdown keeps it alive
        // until done; on a client already shut down it just answers `alreadyShutdown`.
        unary?.shutdown()
        http.shutdown { _ in }
    }

    // MARK: Generic resource API

    /// The namespace to use when a call on one object names none: the configuration's default
    /// namespace (as kubectl without `-n`). Lists and watches never default: nil is every
    /// namespace (an informer of a controller whose kubeconfig or pod has a namespace must
    /// still see them all).
    private func namespace<R: KubeResource>(_ type: R.Type, _ namespace: String?) -> String? {
        R.scope == .cluster ? nil : (namespace ?? configuration.namespace)
    }

    public func get<R: KubeResource>(_ type: R.Type, name: String, namespace: String? = nil) async throws -> R {
        try await send(RequestBuilder<R>().get(name: name, namespace: self.namespace(type, namespace)))
    }

    /// One page of a list (nil `namespace`: every namespace). Follow `metadata.continue` for
    /// the next, or use `listAll`.
    public func list<R: KubeResource>(
        _ type: R.Type, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws -> ObjectList<R> {
        try await send(RequestBuilder<R>().list(namespace: R.scope == .cluster ? nil : namespace, options: options))
    }

    /// Every page of a list; the result carries the resourceVersion of the first page (the
    /// snapshot all pages belong to).
    public func listAll<R: KubeResource>(
        _ type: R.Type, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws -> ObjectList<R> {
        var options = options
        var first = try await list(type, namespace: namespace, options: options)
        var next = first.metadata.continue
        while let token = next, !token.isEmpty {
            options.continue = token
            let page = try await list(type, namespace: namespace, options: options)
            first.items += page.items
            next = page.metadata.continue
        }
        first.metadata.continue = nil
        return first
    }

    /// One page of a list of which only each item's metadata is decoded (nil `namespace`:
    /// every namespace): for a caller that reads names, labels and annotations of many objects.
    public func listMetadata<R: KubeResource>(
        _ type: R.Type, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws -> MetadataList {
        try await send(
            RequestBuilder<R>().list(namespace: R.scope == .cluster ? nil : namespace, options: options)
                .metadataOnly(list: true))
    }

    /// Creates an object in `namespace` (default: the object's, then the configuration's).
    public func create<R: KubeResource>(_ object: R, namespace: String? = nil) async throws -> R {
        let target = self.namespace(R.self, namespace ?? object.metadata.namespace)
        return try await send(RequestBuilder<R>().create(object, namespace: target))
    }

    /// Creates an object and returns only the identity of what was stored: its name,
    /// namespace, uid, resourceVersion and generation (the API server is asked to answer
    /// metadata only, and of that no more is read).
    public func createMetadata<R: KubeResource>(_ object: R, namespace: String? = nil) async throws -> ObjectMeta {
        let target = self.namespace(R.self, namespace ?? object.metadata.namespace)
        return try await sendForIdentity(try RequestBuilder<R>().create(object, namespace: target).metadataOnly())
    }

    /// Replaces the status subresource and returns only the stored identity (as
    /// ``createMetadata(_:namespace:)``).
    public func updateStatusMetadata<R: KubeResource>(_ object: R) async throws -> ObjectMeta {
        try await sendForIdentity(try RequestBuilder<R>().update(object, subresource: "status").metadataOnly())
    }

    /// Replaces an object; fails with `isConflict` when its resourceVersion is stale.
    public func update<R: KubeResource>(_ object: R) async throws -> R {
        try await send(RequestBuilder<R>().update(object))
    }

    /// Replaces the status subresource; fails with `isConflict` when the resourceVersion is stale.
    public func updateStatus<R: KubeResource>(_ object: R) async throws -> R {
        try await send(RequestBuilder<R>().update(object, subresource: "status"))
    }

    public func patch<R: KubeResource>(
        _ type: R.Type, name: String, namespace: String? = nil, patch: Patch, subresource: String? = nil
    ) async throws -> R {
        try await send(
            RequestBuilder<R>().patch(
                name: name, namespace: self.namespace(type, namespace), patch: patch, subresource: subresource))
    }

    /// Deletes an object. With `isNotFound` when it is already gone.
    public func delete<R: KubeResource>(
        _ type: R.Type, name: String, namespace: String? = nil, options: DeleteOptions = DeleteOptions()
    ) async throws {
        let request = try RequestBuilder<R>().delete(
            name: name, namespace: self.namespace(type, namespace), options: options)
        _ = try await execute(request.metadataOnly())
    }

    /// Deletes every object of the kind matching `labelSelector` in `namespace` (`deletecollection`).
    public func deleteCollection<R: KubeResource>(
        _ type: R.Type, namespace: String? = nil, labelSelector: String, options: DeleteOptions = DeleteOptions()
    ) async throws {
        let request = try RequestBuilder<R>().deleteCollection(
            namespace: self.namespace(type, namespace), labelSelector: labelSelector, options: options)
        _ = try await execute(request)
    }

    /// POSTs `body` to a subresource of an object and returns the server's answer
    /// (`serviceaccounts/NAME/token`).
    public func createSubresource<Parent: KubeResource, Body: KubeResource>(
        of parent: Parent.Type, name: String, namespace: String? = nil, subresource: String, body: Body
    ) async throws -> Body {
        var body = body
        body.setTypeMeta()
        return try await send(
            RequestBuilder<Parent>().createSubresource(
                name: name, namespace: self.namespace(parent, namespace), subresource: subresource, body: body))
    }

    /// A short-lived token for a ServiceAccount (TokenRequest); `expirationSeconds` >= 600.
    public func requestToken(
        serviceAccount: String, namespace: String, audiences: [String] = [], expirationSeconds: Int64
    ) async throws -> TokenRequest {
        try await createSubresource(
            of: ServiceAccount.self, name: serviceAccount, namespace: namespace, subresource: "token",
            body: TokenRequest(audiences: audiences, expirationSeconds: expirationSeconds))
    }

    /// Opens a watch (nil `namespace`: every namespace). Errors of the request itself (403,
    /// 410, ...) are thrown here; errors in the stream (an `ERROR` frame) are thrown by the
    /// sequence.
    public func watch<R: KubeResource>(
        _ type: R.Type, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws -> WatchStream<R> {
        let request = RequestBuilder<R>().watch(namespace: R.scope == .cluster ? nil : namespace, options: options)
        // The server ends the watch at timeoutSeconds; give it room to do so first.
        let limit: Duration = options.timeoutSeconds.map { .seconds($0 + 60) } ?? .seconds(3600)
        let answer = try await open(request, timeout: limit, streaming: true)
        guard case .streaming(let body) = answer.body else {
            throw KubernetesError.transport("watch \(url(request)): the answer does not stream")
        }
        return WatchStream(body: body, url: url(request))
    }

    /// A raw request (`/readyz`, `/version`): the status code and body.
    public func raw(_ request: KubeRequest) async throws -> (status: Int, body: Data) {
        let answer = try await open(request, timeout: configuration.requestTimeout, throwOnError: false)
        let body = try await collect(answer, request: request)
        return (answer.status, Data(buffer: body))
    }

    // MARK: Helpers

    static func tlsConfiguration(_ tls: ClientConfiguration.TLS) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let ca = tls.certificateAuthorityPEM {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            } catch {
                throw KubernetesError.configuration("certificate authority: not a PEM certificate (\(error))")
            }
        }
        if let certificate = tls.clientCertificatePEM, let key = tls.clientKeyPEM {
            do {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map {
                    .certificate($0)
                }
            } catch {
                throw KubernetesError.configuration("client certificate: not a PEM certificate")
            }
            do {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            } catch {
                // Never echo key material.
                throw KubernetesError.configuration("client key: not a PEM private key")
            }
        }
        if tls.insecureSkipVerify { configuration.certificateVerification = .none }
        return configuration
    }

    static func reason(forCode code: Int) -> String? {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 409: return "Conflict"
        case 410: return "Expired"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return nil
        }
    }

    static func snippet(_ body: ByteBuffer) -> String {
        let text = String(buffer: body.getSlice(at: body.readerIndex, length: min(200, body.readableBytes)) ?? body)
        return text.isEmpty ? "(empty)" : "\"\(text)\""
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "bad \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
