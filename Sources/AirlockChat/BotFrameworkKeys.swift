import AsyncHTTPClient
import Foundation
import KubeCore
import Logging

/// Fetches and caches the Bot Framework's token signing keys: the OpenID metadata document
/// names `jwks_uri`, the JWKS holds the keys. Refreshed every ``refreshInterval`` (the docs
/// ask for at least daily), and early when a token names an unknown `kid` (keys rotate) — at
/// most once per ``minimumRefreshInterval``, so forged tokens cannot make it fetch in a loop.
/// While a refresh fails, the keys in hand stay in use.
public actor BotFrameworkKeys {
    /// Where the Bot Framework publishes its OpenID metadata.
    public static let defaultMetadataURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"

    public let metadataURL: String
    public let refreshInterval: Duration
    public let minimumRefreshInterval: Duration
    private let http: TeamsHTTP
    private var current: (keys: BotFrameworkKeySet, at: ContinuousClock.Instant)?
    private var lastFetch: ContinuousClock.Instant?

    public init(
        metadataURL: String = BotFrameworkKeys.defaultMetadataURL, httpClient: HTTPClient = .shared,
        refreshInterval: Duration = .seconds(12 * 3600), minimumRefreshInterval: Duration = .seconds(60),
        logger: Logger = Logger(label: "airlock.teams")
    ) {
        self.metadataURL = metadataURL
        self.refreshInterval = refreshInterval
        self.minimumRefreshInterval = minimumRefreshInterval
        self.http = TeamsHTTP(httpClient: httpClient, timeout: .seconds(5), logger: logger)
    }

    /// The keys to verify a token naming `kid` with.
    ///
    /// - Throws: ``ChatError`` (`.unavailable`) when no keys could ever be fetched.
    public func keys(for kid: String?) async throws(ChatError) -> BotFrameworkKeySet {
        let now = ContinuousClock.now
        if let current, now < current.at.advanced(by: refreshInterval) {
            let known = kid.map { current.keys.keys[$0] != nil } ?? true
            let mayRefresh = lastFetch.map { now >= $0.advanced(by: minimumRefreshInterval) } ?? true
            if known || !mayRefresh { return current.keys }
        }
        lastFetch = now
        do throws(ChatError) {
            let keys = try await fetch()
            current = (keys, now)
            return keys
        } catch {
            if let current { return current.keys }
            throw ChatError(.unavailable, "cannot read the Bot Framework signing keys: \(error.message)")
        }
    }

    private func fetch() async throws(ChatError) -> BotFrameworkKeySet {
        let metadata = try await http.send(
            TeamsHTTP.json(.get, metadataURL, body: nil, token: nil), what: "Bot Framework OpenID metadata")
        guard let json = try? KubeJSON.decode(JSONValue.self, from: metadata),
            let jwksURI = json["jwks_uri"]?.stringValue
        else {
            throw ChatError(.unexpectedAnswer, "the Bot Framework OpenID metadata has no jwks_uri")
        }
        let jwks = try await http.send(TeamsHTTP.json(.get, jwksURI, body: nil, token: nil), what: "Bot Framework JWKS")
        return try BotFrameworkKeySet(jwks: jwks)
    }
}
