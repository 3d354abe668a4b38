import AsyncHTTPClient
import Foundation
import KubeCore
import Logging
import NIOCore

/// Posts messages to a Teams Workflows (incoming) webhook URL: notification only — such cards
/// cannot call back. The URL is the credential: errors name only its scheme and host. Workflows
/// may report throttling as text in a 2xx body rather than a 429; that is a `.rateLimited` too.
public struct TeamsWorkflowsClient: Sendable {
    private let http: TeamsHTTP

    public init(
        httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(10),
        logger: Logger = Logger(label: "airlock.teams")
    ) {
        self.http = TeamsHTTP(httpClient: httpClient, timeout: timeout, logger: logger)
    }

    /// POSTs `message` (a `{"type":"message","attachments":[…]}`) to `url`.
    public func post(_ message: JSONValue, to url: String) async throws(ChatError) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, ["https", "http"].contains(scheme),
            let host = parsed.host
        else { throw ChatError(.invalidInput, "the Teams Workflows webhook URL is not an http(s) URL") }
        // The URL (a credential) is never in an error: TeamsHTTP names only `what`.
        let body = try await http.send(
            TeamsHTTP.json(.post, url, body: message, token: nil), what: "Teams Workflows webhook \(scheme)://\(host)")
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        if text.contains("429") && text.localizedCaseInsensitiveContains("too many requests")
            || text.contains("HTTP error 429")
        {
            throw ChatError(
                .rateLimited, "Teams Workflows webhook \(scheme)://\(host) is throttling", retryAfterSeconds: 5)
        }
    }
}
