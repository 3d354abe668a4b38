import AsyncHTTPClient
import Foundation
import KubeCore
import Logging
import NIOCore
import NIOFoundationCompat

/// The bot's own access token for the Bot Connector: OAuth 2.0 client credentials
/// (`grant_type=client_credentials`, the app id and secret, scope
/// `https://api.botframework.com/.default`), cached until ``renewBefore`` its `expires_in`.
/// Concurrent callers share one token request.
public actor BotTokenProvider {
    /// Multi-tenant bots; single-tenant bots use `…/<tenant id>/oauth2/v2.0/token`.
    public static let defaultTokenURL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    public static let scope = "https://api.botframework.com/.default"

    public let appID: String
    public let tokenURL: String
    public let renewBefore: Duration
    private let password: ChatSecret
    private let http: TeamsHTTP
    private var cached: (token: ChatSecret, until: ContinuousClock.Instant)?
    private var inFlight: Task<(ChatSecret, Duration), any Error>?

    public init(
        appID: String, password: ChatSecret, tokenURL: String = BotTokenProvider.defaultTokenURL,
        httpClient: HTTPClient = .shared,
        renewBefore: Duration = .seconds(300), logger: Logger = Logger(label: "airlock.teams")
    ) {
        self.appID = appID
        self.password = password
        self.tokenURL = tokenURL
        self.renewBefore = renewBefore
        self.http = TeamsHTTP(httpClient: httpClient, timeout: .seconds(10), logger: logger)
    }

    /// A valid access token.
    ///
    /// - Throws: ``ChatError``: `.api` when the credentials are refused (fix the Secret),
    ///   `.unavailable`/`.rateLimited` when retrying can help.
    func token() async throws(ChatError) -> ChatSecret {
        if let cached, ContinuousClock.now < cached.until { return cached.token }
        let task =
            inFlight
            ?? Task { [appID, password, tokenURL, http] in
                try await Self.request(appID: appID, password: password, tokenURL: tokenURL, http: http)
            }
        inFlight = task
        defer { inFlight = nil }
        do {
            let (token, lifetime) = try await task.value
            cached = (token, ContinuousClock.now.advanced(by: max(.zero, lifetime - renewBefore)))
            return token
        } catch let error as ChatError {
            throw error
        } catch {
            throw ChatError(.unavailable, "the bot token request failed: \(error)")
        }
    }

    private static func request(
        appID: String, password: ChatSecret, tokenURL: String, http: TeamsHTTP
    ) async throws(ChatError) -> (ChatSecret, Duration) {
        var request = HTTPClientRequest(url: tokenURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let form = [
            ("grant_type", "client_credentials"), ("client_id", appID), ("client_secret", password.text),
            ("scope", scope),
        ].map { "\(FormURLEncoding.escape($0.0))=\(FormURLEncoding.escape($0.1))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: form))
        let body: Data
        do throws(ChatError) {
            body = try await http.send(request, what: "the bot token service")
        } catch  where error.kind == .api {
            throw ChatError(
                .api, "the bot token service refused the app id and password: check the Teams Secret (docs/teams.md)",
                apiError: error.apiError, httpStatus: error.httpStatus)
        }
        guard let json = try? KubeJSON.decode(JSONValue.self, from: body),
            let token = json["access_token"]?.stringValue, !token.isEmpty
        else {
            throw ChatError(.unexpectedAnswer, "the bot token service answered without access_token")
        }
        let seconds: Int64
        switch json["expires_in"] {
        case .number(let value)?: seconds = Int64(value)
        case .string(let text)?: seconds = Int64(text) ?? 3600
        default: seconds = 3600
        }
        return (ChatSecret(token), .seconds(max(60, seconds)))
    }
}
