import AirlockChat
import AsyncHTTPClient
import Foundation
import KubeClient
import KubeCore
import Logging

/// Where the Slack bot token and signing secret come from — never from flags or the
/// environment.
public enum SlackCredentialSource: Sendable, Hashable {
    /// A Secret in the controller's namespace with the keys ``SlackConnection/tokenKey`` and
    /// ``SlackConnection/signingSecretKey``.
    case secret(name: String)
    /// Mounted files (e.g. a Secret volume), one value each.
    case files(token: String, signingSecret: String)
}

/// How Slack users become Kubernetes identities.
public struct SlackUserMapping: Sendable, Hashable {
    /// A ConfigMap in the controller's namespace mapping Slack user ids (``StaticUserMapper``
    /// format); asked first. Nil: none.
    public var configMapName: String?
    /// How a profile email (`users.info`) becomes a username; nil: no email mapping.
    public var emailRule: EmailUsernameRule?
    /// Groups every email-mapped user gets.
    public var emailGroups: [String]

    public init(
        configMapName: String? = "airlock-slack-users", emailRule: EmailUsernameRule? = .email,
        emailGroups: [String] = []
    ) {
        self.configMapName = configMapName
        self.emailRule = emailRule
        self.emailGroups = emailGroups
    }
}

/// Slack for the controller: the Web API client and the interaction handler, built from the
/// credentials and re-read every `refreshInterval` (a rotated Secret applies without a restart;
/// the instances are only rebuilt when a value changed). While the credentials cannot be read,
/// calls fail with a retryable error and nothing else stops.
public actor SlackConnection: SlackAccess {
    /// The Secret key holding the bot token (`xoxb-…`).
    public static let tokenKey = "bot-token"
    /// The Secret key holding the app's signing secret.
    public static let signingSecretKey = "signing-secret"

    public struct Settings: Sendable {
        public var source: SlackCredentialSource
        /// The controller's namespace (the Secret and the mapping ConfigMap live there).
        public var namespace: String
        public var baseURL: String
        public var responseURLPrefixes: [String]
        public var mapping: SlackUserMapping
        /// Workspaces whose clicks are accepted (empty: any holding the signing secret).
        public var allowedTeamIDs: Set<String>
        public var refreshInterval: Duration

        public init(
            source: SlackCredentialSource, namespace: String, baseURL: String = SlackClient.defaultBaseURL,
            responseURLPrefixes: [String] = SlackClient.defaultResponseURLPrefixes,
            mapping: SlackUserMapping = SlackUserMapping(), allowedTeamIDs: Set<String> = [],
            refreshInterval: Duration = .seconds(300)
        ) {
            self.source = source
            self.namespace = namespace
            self.baseURL = baseURL
            self.responseURLPrefixes = responseURLPrefixes
            self.mapping = mapping
            self.allowedTeamIDs = allowedTeamIDs
            self.refreshInterval = refreshInterval
        }
    }

    private struct Credentials: Equatable {
        var token: ChatSecret
        var signingSecret: ChatSecret
    }

    private struct Built {
        var client: SlackClient
        var handler: SlackInteractionHandler
    }

    public let settings: Settings
    private let kubernetes: KubernetesClient
    private let httpClient: HTTPClient
    private let logger: Logger
    private var credentials: CredentialRefresh<Credentials, Built>

    public init(
        settings: Settings, kubernetes: KubernetesClient, httpClient: HTTPClient = .shared, logger: Logger
    ) {
        self.settings = settings
        self.kubernetes = kubernetes
        self.httpClient = httpClient
        self.logger = logger
        self.credentials = CredentialRefresh(channel: "Slack", refreshInterval: settings.refreshInterval)
    }

    public func client() async throws(ChatError) -> SlackClient {
        try await current().client
    }

    public func interactions() async throws(ChatError) -> SlackInteractionHandler {
        try await current().handler
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
        let client = SlackClient(
            token: credentials.token, baseURL: settings.baseURL, httpClient: httpClient,
            responseURLPrefixes: settings.responseURLPrefixes, logger: logger)
        var mappers: [any ChatUserMapper] = []
        if let name = settings.mapping.configMapName {
            mappers.append(
                ConfigMapUserMapper(client: kubernetes, namespace: settings.namespace, name: name, logger: logger))
        }
        if let rule = settings.mapping.emailRule {
            mappers.append(SlackEmailUserMapper(directory: client, rule: rule, groups: settings.mapping.emailGroups))
        }
        let handler = SlackInteractionHandler(
            signature: SlackSignature(signingSecret: credentials.signingSecret), mapper: FirstMatchUserMapper(mappers),
            allowedTeamIDs: settings.allowedTeamIDs, logger: logger)
        return Built(client: client, handler: handler)
    }

    private func readCredentials() async throws(ChatError) -> Credentials {
        switch settings.source {
        case .files(let tokenPath, let signingPath):
            return Credentials(
                token: try ChatSecret(contentsOfFile: tokenPath),
                signingSecret: try ChatSecret(contentsOfFile: signingPath))
        case .secret(let name):
            let values = try await CredentialSecret.read(
                name, namespace: settings.namespace, keys: [Self.tokenKey, Self.signingSecretKey], client: kubernetes,
                docs: "docs/slack.md")
            return Credentials(
                token: ChatSecret(bytes: values[Self.tokenKey] ?? []),
                signingSecret: ChatSecret(bytes: values[Self.signingSecretKey] ?? []))
        }
    }
}
