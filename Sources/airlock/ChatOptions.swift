import AirlockChat
import AirlockController
import AirlockServer
import ArgumentParser
import Foundation
import KubeClient
import Logging
import ServiceLifecycle

/// Chat and event-webhook settings of `airlock controller`. Credentials are named (a Secret,
/// or files), never given as values: flags show up in process listings and logs.
struct ChatOptions: ParsableArguments {
    @Option(
        help:
            "Port of the chat callback listener (POST /slack/interactions, POST /teams/messages); not started when omitted. Serve it behind the cluster's ingress TLS."
    )
    var chatPort: Int?

    @Option(help: "Secret in --namespace holding the Slack app's keys bot-token and signing-secret.")
    var slackSecret: String?

    @Option(help: "File holding the Slack bot token (a mounted Secret key); with --slack-signing-secret-file.")
    var slackTokenFile: String?

    @Option(help: "File holding the Slack app's signing secret; with --slack-token-file.")
    var slackSigningSecretFile: String?

    @Option(name: .customLong("slack-api-url"), help: "Slack Web API root.")
    var slackAPIURL = SlackClient.defaultBaseURL

    @Option(
        name: .customLong("slack-response-url-prefix"),
        help: "Prefix an interaction's response_url must have (repeatable; default https://hooks.slack.com/).")
    var slackResponseURLPrefixes: [String] = []

    @Option(help: "ConfigMap in --namespace mapping Slack user ids to Kubernetes users (asked before emails).")
    var slackUsersConfigmap = "airlock-slack-users"

    @Option(
        help:
            "Map Slack profile emails in this domain to the part before @ (repeatable); without it the whole email is the username."
    )
    var slackEmailDomain: [String] = []

    @Flag(inversion: .prefixedNo, help: "Map Slack users by their profile email (users.info).")
    var slackEmailMapping = true

    @Option(help: "Group every email-mapped Slack user gets (repeatable), for policies' reviewer lists.")
    var slackReviewerGroup: [String] = []

    @Option(help: "Slack workspace (team id) whose clicks are accepted (repeatable; default: any).")
    var slackTeamID: [String] = []

    @Option(help: "Secret in --namespace holding the Teams bot's keys app-id and app-password (docs/teams.md).")
    var teamsSecret: String?

    @Option(
        name: .customLong("teams-tenant-id"),
        help: "Microsoft Entra tenant whose Teams clicks are accepted (repeatable; required with --teams-secret).")
    var teamsTenantIDs: [String] = []

    @Option(
        name: .customLong("teams-token-url"),
        help:
            "OAuth 2.0 token endpoint of the bot (single-tenant bots: https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token)."
    )
    var teamsTokenURL = BotTokenProvider.defaultTokenURL

    @Option(name: .customLong("teams-openid-url"), help: "Bot Framework OpenID metadata (names the signing keys).")
    var teamsOpenIDURL = BotFrameworkKeys.defaultMetadataURL

    @Option(name: .customLong("teams-issuer"), help: "Issuer of the Bot Framework tokens.")
    var teamsIssuer = BotFrameworkTokenValidator.defaultIssuer

    @Option(
        name: .customLong("teams-service-url-prefix"),
        help:
            "Prefix a Bot Connector service URL must have for the bot to call it (repeatable; default https://smba.trafficmanager.net/)."
    )
    var teamsServiceURLPrefixes: [String] = []

    @Option(help: "ConfigMap in --namespace mapping Entra ID object ids to Kubernetes users (asked before emails).")
    var teamsUsersConfigmap = "airlock-teams-users"

    @Option(
        help:
            "Map Teams members' emails (or UPNs) in this domain to the part before @ (repeatable); off unless given or --teams-email-mapping."
    )
    var teamsEmailDomain: [String] = []

    @Flag(help: "Map Teams members by their whole email or UPN (Bot Connector member look-up).")
    var teamsEmailMapping = false

    @Option(help: "Group every email-mapped Teams user gets (repeatable), for policies' reviewer lists.")
    var teamsReviewerGroup: [String] = []

    @Option(help: "CloudEvents source of the events sent to webhooks (default: /airlock/<namespace>).")
    var eventSource: String?

    @Option(help: "Concurrent notification deliveries.")
    var notifyWorkers = 4

    func validate() throws {
        if slackSecret != nil && (slackTokenFile != nil || slackSigningSecretFile != nil) {
            throw ValidationError("give --slack-secret or --slack-token-file/--slack-signing-secret-file, not both")
        }
        if (slackTokenFile == nil) != (slackSigningSecretFile == nil) {
            throw ValidationError("--slack-token-file and --slack-signing-secret-file go together")
        }
        if chatPort != nil && credentials == nil && teamsSecret == nil {
            throw ValidationError(
                "--chat-port needs Slack (--slack-secret or the --slack-*-file flags) or Teams (--teams-secret)")
        }
        if teamsSecret != nil && teamsTenantIDs.isEmpty {
            throw ValidationError("--teams-secret needs --teams-tenant-id: only your own tenants' clicks may count")
        }
    }

    /// Where the Slack credentials come from; nil: Slack is off.
    var credentials: SlackCredentialSource? {
        if let slackSecret { return .secret(name: slackSecret) }
        if let slackTokenFile, let slackSigningSecretFile {
            return .files(token: slackTokenFile, signingSecret: slackSigningSecretFile)
        }
        return nil
    }

    /// The notifier's settings (event webhooks work without Slack).
    func configuration(namespace: String, client: KubernetesClient, logger: Logger) -> ChatConfiguration {
        var slack: SlackConnection?
        if let credentials {
            let rule: EmailUsernameRule? =
                slackEmailMapping
                ? (slackEmailDomain.isEmpty
                    ? .email : .localPart(domains: Set(slackEmailDomain.map { $0.lowercased() })))
                : nil
            slack = SlackConnection(
                settings: SlackConnection.Settings(
                    source: credentials, namespace: namespace, baseURL: slackAPIURL,
                    responseURLPrefixes: slackResponseURLPrefixes.isEmpty
                        ? SlackClient.defaultResponseURLPrefixes : slackResponseURLPrefixes,
                    mapping: SlackUserMapping(
                        configMapName: slackUsersConfigmap.isEmpty ? nil : slackUsersConfigmap, emailRule: rule,
                        emailGroups: slackReviewerGroup),
                    allowedTeamIDs: Set(slackTeamID)),
                kubernetes: client, logger: logger)
        }
        return ChatConfiguration(
            namespace: namespace, slack: slack, teams: teams(namespace: namespace, client: client, logger: logger),
            eventSource: eventSource, workers: notifyWorkers)
    }

    /// The Teams bot, when `--teams-secret` is given.
    private func teams(namespace: String, client: KubernetesClient, logger: Logger) -> TeamsConnection? {
        guard let teamsSecret else { return nil }
        let rule: EmailUsernameRule? =
            !teamsEmailDomain.isEmpty
            ? .localPart(domains: Set(teamsEmailDomain.map { $0.lowercased() })) : (teamsEmailMapping ? .email : nil)
        return TeamsConnection(
            settings: TeamsConnection.Settings(
                secretName: teamsSecret, namespace: namespace, tenantIDs: Set(teamsTenantIDs), tokenURL: teamsTokenURL,
                metadataURL: teamsOpenIDURL, issuer: teamsIssuer,
                serviceURLPrefixes: teamsServiceURLPrefixes.isEmpty
                    ? BotConnectorClient.defaultServiceURLPrefixes : teamsServiceURLPrefixes,
                usersConfigMap: teamsUsersConfigmap.isEmpty ? nil : teamsUsersConfigmap, emailRule: rule,
                emailGroups: teamsReviewerGroup),
            kubernetes: client, logger: logger)
    }

    /// The chat listener, when `--chat-port` is given.
    func server(
        airlock: AirlockOperator, client: KubernetesClient, controllerUsername: String, logger: Logger
    ) -> (any Service)? {
        guard let chatPort, let configuration = airlock.notifier?.configuration,
            configuration.slack != nil || configuration.teams != nil
        else { return nil }
        let requests = airlock.controller.primary.store
        let slack = configuration.slack.map {
            SlackInteractionService(
                slack: $0, client: client, requests: requests, controllerUsername: controllerUsername, logger: logger)
        }
        let teams = configuration.teams.map {
            TeamsInteractionService(
                teams: $0, client: client, requests: requests, controllerUsername: controllerUsername, logger: logger)
        }
        var slackHandler: (@Sendable ([UInt8], [String: String]) async -> SlackHTTPAnswer)?
        if let slack { slackHandler = { body, headers in await slack.handle(body: body, headers: headers) } }
        var teamsHandler: (@Sendable ([UInt8], [String: String]) async -> TeamsHTTPAnswer)?
        if let teams { teamsHandler = { body, headers in await teams.handle(body: body, headers: headers) } }
        return ChatServer.application(port: chatPort, slack: slackHandler, teams: teamsHandler, logger: logger)
    }
}

extension ChatOptions {
    /// No Slack, no chat listener (event webhooks still work).
    static var off: ChatOptions {
        // Parsing no arguments cannot fail: every option has a default or is optional.
        try! ChatOptions.parse([])
    }
}
