import AsyncHTTPClient
import Foundation
import KubeCore
import Metrics
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// An answer's status and headers, and its body: collected (unary calls over
/// ``HTTP1Transport``) or still streaming (watches, and unary calls over AsyncHTTPClient).
struct KubeAnswer {
    enum Body {
        case collected(ByteBuffer)
        case streaming(HTTPClientResponse.Body)
    }

    var status: Int
    var headers: HTTPHeaders
    var body: Body
}

extension KubernetesClient {
    func send<T: Decodable>(_ request: KubeRequest, as type: T.Type = T.self) async throws -> T {
        try read(try await execute(request), of: request) {
            try KubeJSON.decoder().decode(T.self, from: Data(buffer: $0))
        }
    }

    /// Sends a write asked to answer metadata only; the stored object's ``StoredIdentity``.
    func sendForIdentity(_ request: KubeRequest) async throws -> ObjectMeta {
        try read(try await execute(request), of: request, StoredIdentity.read)
    }

    /// `read(body)`, a failure of which is a decoding error naming the request.
    private func read<T>(_ body: ByteBuffer, of request: KubeRequest, _ read: (ByteBuffer) throws -> T) throws -> T {
        do {
            return try read(body)
        } catch {
            throw KubernetesError.decoding(
                "\(request.method.rawValue) \(url(request)): \(Self.describe(error)); body starts \(Self.snippet(body))"
            )
        }
    }

    func execute(_ request: KubeRequest) async throws -> ByteBuffer {
        let answer = try await open(request, timeout: configuration.requestTimeout)
        return try await collect(answer, request: request)
    }

    func collect(_ answer: KubeAnswer, request: KubeRequest, limit: Int? = nil) async throws -> ByteBuffer {
        switch answer.body {
        case .collected(let body):
            return body
        case .streaming(let body):
            do {
                return try await body.collect(upTo: limit ?? maxBodyBytes)
            } catch {
                throw KubernetesError.transport(
                    "\(request.method.rawValue) \(url(request)): reading the answer failed: \(error)")
            }
        }
    }

    /// `duration` in milliseconds, to a tenth (for trace logs).
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }

    /// Sends a request and returns the answer (for `streaming`, once its head arrived);
    /// non-2xx answers are turned into `KubernetesError`. Retries idempotent calls answered
    /// 429 (honouring Retry-After) and calls answered 401 once after refreshing a refreshable
    /// credential.
    func open(
        _ request: KubeRequest, timeout: Duration, throwOnError: Bool = true, streaming: Bool = false
    ) async throws -> KubeAnswer {
        var attempt = 0
        var refreshedCredentials = false
        while true {
            if let limiter { try await limiter.acquire() }
            let sent = ContinuousClock.now
            let answer = try await attemptOnce(request, timeout: timeout, streaming: streaming)
            let code = answer.status
            let (verb, resource) = request.verbAndResource
            Counter(
                label: "airlock_rest_client_requests_total",
                dimensions: [
                    ("method", request.method.rawValue), ("verb", verb), ("resource", resource), ("code", String(code)),
                ]
            ).increment()
            logger.trace(
                "\(request.method.rawValue) \(request.path) -> \(code)",
                metadata: ["ms": "\(Self.milliseconds(sent.duration(to: .now)))"])
            if (200..<300).contains(code) || !throwOnError { return answer }

            let body = try await collect(answer, request: request, limit: 1024 * 1024)
            let error = decodeError(code: code, body: body, headers: answer.headers, request: request)
            if error.isTooManyRequests, request.isIdempotent, attempt < configuration.maxRetries {
                attempt += 1
                let wait = min(max(error.retryAfterSeconds ?? 1, 1), 30)
                logger.debug("429 from \(request.path); retry \(attempt) in \(wait)s")
                try await Task.sleep(for: .seconds(wait))
                continue
            }
            if error.isUnauthorized, credentials.canRefresh, !refreshedCredentials {
                refreshedCredentials = true
                await credentials.invalidate()
                continue
            }
            throw error
        }
    }

    private func attemptOnce(_ request: KubeRequest, timeout: Duration, streaming: Bool) async throws -> KubeAnswer {
        try interceptor?(request)
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: request.accept ?? "application/json")
        headers.add(name: "User-Agent", value: configuration.userAgent)
        if let authorization = try await credentials.authorization() {
            headers.add(name: "Authorization", value: authorization)
        }
        let body = request.body.map { ByteBuffer(data: $0) }
        if body != nil { headers.add(name: "Content-Type", value: request.contentType ?? "application/json") }
        let method = HTTPMethod(rawValue: request.method.rawValue)
        do {
            if let unary, !streaming {
                let answer = try await unary.send(
                    method: method, target: request.pathAndQuery, headers: headers, body: body, timeout: timeout,
                    maxBodyBytes: maxBodyBytes, idempotent: request.isIdempotent)
                return KubeAnswer(status: answer.status, headers: answer.headers, body: .collected(answer.body))
            }
            var http = HTTPClientRequest(url: url(request))
            http.method = method
            http.headers = headers
            if let body { http.body = .bytes(body) }
            let response = try await self.http.execute(
                http, timeout: .nanoseconds(Int64(timeout.seconds * 1e9)), logger: nil)
            return KubeAnswer(
                status: Int(response.status.code), headers: response.headers, body: .streaming(response.body))
        } catch let error as CancellationError {
            throw error
        } catch {
            // The transports' errors carry no headers, so no token can leak through them.
            throw KubernetesError.transport("\(request.method.rawValue) \(url(request)): \(error)")
        }
    }

    private func decodeError(
        code: Int, body: ByteBuffer, headers: HTTPHeaders, request: KubeRequest
    ) -> KubernetesError {
        var error: KubernetesError
        if let status = try? KubeJSON.decoder().decode(Status.self, from: Data(buffer: body)), status.kind == "Status" {
            error = KubernetesError(status: status, httpCode: code)
        } else {
            error = KubernetesError(
                kind: .api, code: code, reason: Self.reason(forCode: code),
                message: "\(request.method.rawValue) \(url(request)) answered \(code): \(Self.snippet(body))")
        }
        if error.code == nil { error.code = code }
        if let retryAfter = headers.first(name: "Retry-After").flatMap(Int.init) {
            error.retryAfterSeconds = retryAfter
        }
        return error
    }

    func url(_ request: KubeRequest) -> String {
        configuration.server.absoluteString + request.pathAndQuery
    }
}
