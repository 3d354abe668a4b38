import AsyncHTTPClient
import Foundation
import KubeCore
import Logging
import NIOCore
import NIOFoundationCompat

/// The HTTP transport of the Teams clients (token service, OpenID metadata, Bot Connector):
/// one call, its status turned into ``ChatError``s the caller can branch on (429 with
/// `Retry-After` is `.rateLimited`; 5xx, 408 and no answer are `.unavailable`; other 4xx are
/// `.api`). Never sleeps, never retries, never logs a header or a body.
struct TeamsHTTP: Sendable {
    let httpClient: HTTPClient
    let timeout: TimeAmount
    let logger: Logger

    /// Sends `request`; returns the body of a 2xx answer.
    func send(_ request: HTTPClientRequest, what: String) async throws(ChatError) -> Data {
        let status: Int
        let retryAfter: Int?
        let body: Data
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 4 << 20)
            status = Int(response.status.code)
            retryAfter = SlackClient.retryAfter(response.headers.first(name: "Retry-After"))
            body = Data(buffer: bytes)
        } catch {
            logger.warning("Teams unreachable", metadata: ["call": "\(what)", "error": "\(error)"])
            throw ChatError(.unavailable, "\(what) is unreachable: \(error)")
        }
        logger.debug("Teams call", metadata: ["call": "\(what)", "status": "\(status)"])
        if (200..<300).contains(status) { return body }
        if status == 429 {
            throw ChatError(
                .rateLimited, "\(what) is rate limited (HTTP 429)", httpStatus: status, retryAfterSeconds: retryAfter)
        }
        if status >= 500 || status == 408 {
            throw ChatError(.unavailable, "\(what) answered HTTP \(status): retry later", httpStatus: status)
        }
        let code =
            (try? KubeJSON.decode(JSONValue.self, from: body)).flatMap {
                $0["error"]?["code"]?.stringValue ?? $0["error"]?.stringValue
            } ?? "HTTP \(status)"
        throw ChatError(.api, "\(what) failed: \(code)", apiError: code, httpStatus: status)
    }

    /// The HTTP methods the Teams clients use.
    enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
    }

    /// A JSON request.
    static func json(_ method: Method, _ url: String, body: JSONValue?, token: String?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        switch method {
        case .get: request.method = .GET
        case .post: request.method = .POST
        case .put: request.method = .PUT
        }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(data: body.jsonData))
        }
        return request
    }
}
