import AirlockChat
import AsyncHTTPClient
import Foundation
import KubeClient
import KubeCore
import Logging

/// The Teams bot for the controller: the Bot Connector client (with its cached token) and the
/// invoke handler, built from the bot's app id and password and re-read every
/// `refreshInterval` (a rotated Secret applies without a restart). While the credentials
/// cannot be read, calls fail with a retryable error and nothing else stops.
public actor TeamsConnection: TeamsAccess {
    /// The Secret key holding the bot's Microsoft App ID.
    public static let appIDKey = "app-id"
    /// The Secret key holding the bot's client secret (app password).
    public static let appPasswordKey = "app-password"

    public struct Settings: Sendable {
        /// A Secret in `namespace` with ``appIDKey`` and ``appPasswordKey``.
        public var secretName: String
        public var namespace: String
        /// Tenants whose clicks are accepted (at least one).
        public var tenantIDs: Set<String>
        public var tokenURL: String
        public var metadataURL: String
        public var issuer: String
        public var serviceURLPrefixes: [String]
        /// ConfigMap mapping Entra ID object ids to Kubernetes users; nil: none.
        public var usersConfigMap: String?
        /// How a member's email or UPN becomes a username; nil: no member look-up.
        public var emailRule: EmailUsernameRule?
        public var emailGroups: [String]
        public var refreshInterval: Duration

        public init(
            secretName: String, namespace: String, tenantIDs: Set<String>,
            tokenURL: String = BotTokenProvider.defaultTokenURL,
            metadataURL: String = BotFrameworkKeys.defaultMetadataURL,
            issuer: String = BotFrameworkTokenValidator.defaultIssuer,
            serviceURLPrefixes: [String] = BotConnectorClient.defaultServiceURLPrefixes,
            usersConfigMap: String? = "airlock-teams-users", emailRule: EmailUsernameRule? = nil,
            emailGroups: [String] = [], refreshInterval: Duration = .seconds(300)
        ) {
            self.secretName = secretName
            self.namespace = namespace
            self.tenantIDs = tenantIDs
            self.tokenURL = tokenURL
            self.metadataURL = metadataURL
            self.issuer = issuer
            self.serviceURLPrefixes = serviceURLPrefixes
            self.usersConfigMap = usersConfigMap
            self.emailRule = emailRule
            self.emailGroups = emailGroups
            self.refreshInterval = refreshInterval
        }
    }

    private struct Credentials: Equatable {
        var appID: String
        var password: ChatSecret
    }

    private struct Built {
        var connector: BotConnectorClient
        var handler: TeamsInvokeHandler
    }

    public let settings: Settings
    private let kubernetes: KubernetesClient
    private let httpClient: HTTPClient
    private let logger: Logger
    private let keys: BotFrameworkKeys
    private let users: ConfigMapUserMapper?
    private var credentials: CredentialRefresh<Credentials, Built>

    public init(settings: Settings, kubernetes: KubernetesClient, httpClient: HTTPClient = .shared, logger: Logger) {
        self.settings = settings
        self.kubernetes = kubernetes
        self.httpClient = httpClient
        self.logger = logger
        self.keys = BotFrameworkKeys(metadataURL: settings.metadataURL, httpClient: httpClient, logger: logger)
        self.users = settings.usersConfigMap.map {
            ConfigMapUserMapper(
                client: kubernetes, namespace: settings.namespace, name: $0, keys: .teams, logger: logger)
        }
        self.credentials = CredentialRefresh(channel: "Teams", refreshInterval: settings.refreshInterval)
    }

    public func connector() async throws(ChatError) -> BotConnectorClient {
        try await current().connector
    }

    public func invokes() async throws(ChatError) -> TeamsInvokeHandler {
        try await current().handler
    }

    public func refreshCandidates() async -> [String: ChatIdentity] {
        await users?.teamsUsers() ?? [:]
    }

    private func current() async throws(ChatError) -> Built {
        let now = ContinuousClock.now
        if let built = credentials.fresh(at: now) { return built }
        let read: Result<Credentials, ChatError>
        do throws(ChatError) {
            read = .success(try await readCredentials())
        } catch {
            read = .failure(error)
        }
        return try credentials.update(with: read, at: now, logger: logger) { build($0) }
    }

    private func build(_ credentials: Credentials) -> Built {
        let tokens = BotTokenProvider(
            appID: credentials.appID, password: credentials.password, tokenURL: settings.tokenURL,
            httpClient: httpClient, logger: logger)
        let connector = BotConnectorClient(
            tokens: tokens, allowedServiceURLPrefixes: settings.serviceURLPrefixes, httpClient: httpClient,
            logger: logger)
        let handler = TeamsInvokeHandler(
            validator: BotFrameworkTokenValidator(appID: credentials.appID, issuer: settings.issuer), keys: keys,
            allowedTenantIDs: settings.tenantIDs,
            mapping: TeamsUserMapping(table: users, emailRule: settings.emailRule, emailGroups: settings.emailGroups),
            connector: connector, logger: logger)
        return Built(connector: connector, handler: handler)
    }

    private func readCredentials() async throws(ChatError) -> Credentials {
        let values = try await CredentialSecret.read(
            settings.secretName, namespace: settings.namespace, keys: [Self.appIDKey, Self.appPasswordKey],
            client: kubernetes, docs: "docs/teams.md")
        return Credentials(
            appID: String(decoding: values[Self.appIDKey] ?? [], as: UTF8.self),
            password: ChatSecret(bytes: values[Self.appPasswordKey] ?? []))
    }
}
