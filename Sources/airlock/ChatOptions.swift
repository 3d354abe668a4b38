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
            "Port of the chat callback listener (POST /slack/interactions); not started when omitted. Serve it behind the cluster's ingress TLS."
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
        if chatPort != nil && credentials == nil {
            throw ValidationError("--chat-port needs the Slack credentials: --slack-secret or the --slack-*-file flags")
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
        return ChatConfiguration(namespace: namespace, slack: slack, eventSource: eventSource, workers: notifyWorkers)
    }

    /// The chat listener, when `--chat-port` is given.
    func server(
        airlock: AirlockOperator, client: KubernetesClient, controllerUsername: String, logger: Logger
    ) -> (any Service)? {
        guard let chatPort, let slack = airlock.notifier?.configuration.slack else { return nil }
        let service = SlackInteractionService(
            slack: slack, client: client, requests: airlock.controller.primary.store,
            controllerUsername: controllerUsername, logger: logger)
        return ChatServer.application(
            port: chatPort, slack: { body, headers in await service.handle(body: body, headers: headers) },
            logger: logger)
    }
}

extension ChatOptions {
    /// No Slack, no chat listener (event webhooks still work).
    static var off: ChatOptions {
        // Parsing no arguments cannot fail: every option has a default or is optional.
        try! ChatOptions.parse([])
    }
}
