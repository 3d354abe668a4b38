import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// Delivers CloudEvents to an HTTP endpoint in structured mode, signed the Standard Webhooks
/// way (``StandardWebhookSigner``): `webhook-id` is the event id, so a re-delivery of the same
/// transition carries the same id and receivers de-duplicate by it.
///
/// One attempt per call: 2xx is delivered; HTTP 429 (`.rateLimited`, with `Retry-After`),
/// 408, 5xx and transport failures (`.unavailable`) are retryable; other answers are `.api`
/// errors with the status (410 Gone: the receiver asks to stop). The caller schedules
/// retries, which gives at-least-once delivery. Target URLs often embed credentials: errors
/// and logs show only their scheme and host.
public struct EventWebhookClient: Sendable {
    /// The outcome of a delivered event.
    public struct Delivery: Sendable, Hashable {
        /// The HTTP status the receiver answered (2xx).
        public var status: Int
        /// `webhook-id` sent (the event id).
        public var webhookID: String
    }

    private let httpClient: HTTPClient
    private let timeout: TimeAmount
    private let logger: Logger

    public init(
        httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(10),
        logger: Logger = Logger(label: "airlock.webhook")
    ) {
        self.httpClient = httpClient
        self.timeout = timeout
        self.logger = logger
    }

    /// Sends `event` to `url`, signed by `signer` with timestamp `now`.
    public func send(
        _ event: CloudEvent, to url: String, signer: StandardWebhookSigner, now: Date
    ) async throws(ChatError) -> Delivery {
        let target = Self.redacted(url)
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw ChatError(.invalidInput, "the webhook URL must start with https:// or http:// (\(target))")
        }
        let body = event.structuredBody
        let timestamp = Int64(now.timeIntervalSince1970.rounded(.down))
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: CloudEvent.contentType)
        request.headers.add(name: "User-Agent", value: "airlock")
        for (name, value) in signer.headers(id: event.id, timestamp: timestamp, body: body) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(data: body))
        let status: Int
        let retryAfter: Int?
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            _ = try await response.body.collect(upTo: 64 << 10)
            status = Int(response.status.code)
            retryAfter = SlackClient.retryAfter(response.headers.first(name: "Retry-After"))
        } catch {
            logger.warning("event webhook unreachable", metadata: ["target": "\(target)", "error": "\(error)"])
            throw ChatError(.unavailable, "the event webhook \(target) is unreachable: \(error)")
        }
        let metadata: Logger.Metadata = [
            "target": "\(target)", "status": "\(status)", "type": "\(event.type)", "id": "\(event.id)",
        ]
        switch status {
        case 200..<300:
            logger.debug("event delivered", metadata: metadata)
            return Delivery(status: status, webhookID: event.id)
        case 429:
            logger.warning("event webhook rate limited", metadata: metadata)
            throw ChatError(
                .rateLimited, "the event webhook \(target) is rate limiting (HTTP 429)", httpStatus: status,
                retryAfterSeconds: retryAfter)
        case 408, 500...:
            logger.warning("event webhook failed", metadata: metadata)
            throw ChatError(
                .unavailable, "the event webhook \(target) answered HTTP \(status): retry later", httpStatus: status,
                retryAfterSeconds: retryAfter)
        case 410:
            throw ChatError(
                .api, "the event webhook \(target) answered 410 Gone: it asks to stop; remove it from the policy",
                httpStatus: status)
        default:
            logger.warning("event webhook refused", metadata: metadata)
            throw ChatError(
                .api,
                "the event webhook \(target) refused the event with HTTP \(status): check its URL and secret",
                httpStatus: status)
        }
    }

    /// `scheme://host[:port]` of a URL: what may be shown of it.
    static func redacted(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            let host = components.host
        else { return "(unparsable URL)" }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }
}
