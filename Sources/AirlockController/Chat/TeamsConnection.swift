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

    private struct Loaded {
        var appID: String
        var password: ChatSecret
        var connector: BotConnectorClient
        var handler: TeamsInvokeHandler
        var until: ContinuousClock.Instant
    }

    public let settings: Settings
    private let kubernetes: KubernetesClient
    private let httpClient: HTTPClient
    private let logger: Logger
    private let keys: BotFrameworkKeys
    private let users: ConfigMapUserMapper?
    private var loaded: Loaded?

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

    private func current() async throws(ChatError) -> Loaded {
        let now = ContinuousClock.now
        if let loaded, now < loaded.until { return loaded }
        let appID: String
        let password: ChatSecret
        do throws(ChatError) {
            (appID, password) = try await readCredentials()
        } catch {
            if var loaded {
                logger.warning("cannot re-read the Teams credentials, keeping the current ones: \(error.message)")
                loaded.until = now.advanced(by: .seconds(30))
                self.loaded = loaded
                return loaded
            }
            logger.error("cannot read the Teams credentials: \(error.message)")
            throw error
        }
        if var loaded, loaded.appID == appID, loaded.password == password {
            loaded.until = now.advanced(by: settings.refreshInterval)
            self.loaded = loaded
            return loaded
        }
        let tokens = BotTokenProvider(
            appID: appID, password: password, tokenURL: settings.tokenURL, httpClient: httpClient, logger: logger)
        let connector = BotConnectorClient(
            tokens: tokens, allowedServiceURLPrefixes: settings.serviceURLPrefixes, httpClient: httpClient,
            logger: logger)
        let handler = TeamsInvokeHandler(
            validator: BotFrameworkTokenValidator(appID: appID, issuer: settings.issuer), keys: keys,
            allowedTenantIDs: settings.tenantIDs,
            mapping: TeamsUserMapping(table: users, emailRule: settings.emailRule, emailGroups: settings.emailGroups),
            connector: connector, logger: logger)
        if self.loaded != nil { logger.info("Teams credentials changed: using the new ones") }
        let fresh = Loaded(
            appID: appID, password: password, connector: connector, handler: handler,
            until: now.advanced(by: settings.refreshInterval))
        self.loaded = fresh
        return fresh
    }

    private func readCredentials() async throws(ChatError) -> (String, ChatSecret) {
        let location = "the Secret \(settings.namespace)/\(settings.secretName)"
        let secret: Secret
        do {
            secret = try await kubernetes.get(Secret.self, name: settings.secretName, namespace: settings.namespace)
        } catch let error as KubernetesError where error.isNotFound {
            throw ChatError(.unavailable, "\(location) does not exist: create it (docs/teams.md)")
        } catch {
            throw ChatError(.unavailable, "cannot read \(location): \(error)")
        }
        func value(_ key: String) throws(ChatError) -> [UInt8] {
            var bytes = [UInt8](secret.data?[key] ?? Data())
            while let last = bytes.last, last == 10 || last == 13 || last == 32 { bytes.removeLast() }
            guard !bytes.isEmpty else {
                throw ChatError(.invalidInput, "\(location) has no key \(key) (or it is empty)")
            }
            return bytes
        }
        return (
            String(decoding: try value(Self.appIDKey), as: UTF8.self), ChatSecret(bytes: try value(Self.appPasswordKey))
        )
    }
}
