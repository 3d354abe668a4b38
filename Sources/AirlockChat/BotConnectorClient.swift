import AirlockAPI
import AsyncHTTPClient
import Foundation
import KubeCore
import Logging
import NIOCore

/// The Bot Connector REST API the bot talks to Teams through (`{serviceUrl}/v3/…`): send an
/// activity to a conversation, update one for everyone, reply under one, and look a member up.
/// The bot's token (``BotTokenProvider``) goes only to service URLs starting with one of
/// ``allowedServiceURLPrefixes`` (they come from policies and activities). Errors as
/// ``TeamsHTTP`` maps them; the client never sleeps or retries.
public struct BotConnectorClient: Sendable {
    /// Where Microsoft's Bot Connector service URLs point.
    public static let defaultServiceURLPrefixes = ["https://smba.trafficmanager.net/"]

    public let allowedServiceURLPrefixes: [String]
    let tokens: BotTokenProvider
    private let http: TeamsHTTP

    public init(
        tokens: BotTokenProvider, allowedServiceURLPrefixes: [String] = Self.defaultServiceURLPrefixes,
        httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(10),
        logger: Logger = Logger(label: "airlock.teams")
    ) {
        self.tokens = tokens
        self.allowedServiceURLPrefixes = allowedServiceURLPrefixes
        self.http = TeamsHTTP(httpClient: httpClient, timeout: timeout, logger: logger)
    }

    /// Whether the bot may call `serviceURL` (its token goes there).
    public func allows(serviceURL: String) -> Bool {
        allowedServiceURLPrefixes.contains { serviceURL.lowercased().hasPrefix($0.lowercased()) }
    }

    /// Posts `activity` to the conversation; returns the new activity's id.
    public func send(_ activity: JSONValue, to conversation: TeamsConversationRef) async throws(ChatError) -> String {
        let url = try activitiesURL(conversation)
        return try await activityID(
            of: try await call(.post, url, activity, what: "Bot Connector send to \(conversation.conversationId)"))
    }

    /// Replaces activity `id` in the conversation (the card everyone sees).
    public func update(
        _ id: String, with activity: JSONValue, in conversation: TeamsConversationRef
    ) async throws(ChatError) {
        var activity = activity
        if case .object(var members) = activity {
            members["id"] = .string(id)
            activity = .object(members)
        }
        _ = try await call(
            .put, try activitiesURL(conversation) + "/" + Self.escape(id), activity, what: "Bot Connector update")
    }

    /// Replies under activity `id` (in a channel: in its thread).
    public func reply(
        to id: String, with activity: JSONValue, in conversation: TeamsConversationRef
    ) async throws(ChatError) -> String {
        var activity = activity
        if case .object(var members) = activity {
            members["replyToId"] = .string(id)
            activity = .object(members)
        }
        return try await activityID(
            of: try await call(
                .post, try activitiesURL(conversation) + "/" + Self.escape(id), activity, what: "Bot Connector reply"))
    }

    /// The member `userID` (`from.id`) of the conversation: `objectId`, `email`,
    /// `userPrincipalName` (anonymous users have no email).
    public func member(_ userID: String, in conversation: TeamsConversationRef) async throws(ChatError) -> JSONValue {
        try checked(conversation.serviceUrl)
        let url =
            Self.base(conversation.serviceUrl) + "/v3/conversations/" + Self.escape(conversation.conversationId)
            + "/members/" + Self.escape(userID)
        let body = try await call(.get, url, nil, what: "Bot Connector member look-up")
        guard let json = try? KubeJSON.decode(JSONValue.self, from: body) else {
            throw ChatError(.unexpectedAnswer, "the Bot Connector's member answer is not JSON")
        }
        return json
    }

    // MARK: Transport

    private func call(
        _ method: TeamsHTTP.Method, _ url: String, _ body: JSONValue?, what: String
    ) async throws(ChatError) -> Data {
        let token = try await tokens.token()
        return try await http.send(TeamsHTTP.json(method, url, body: body, token: token.text), what: what)
    }

    private func activitiesURL(_ conversation: TeamsConversationRef) throws(ChatError) -> String {
        try checked(conversation.serviceUrl)
        return Self.base(conversation.serviceUrl) + "/v3/conversations/"
            + Self.escape(conversation.conversationId) + "/activities"
    }

    private func checked(_ serviceURL: String) throws(ChatError) {
        guard allows(serviceURL: serviceURL) else {
            throw ChatError(
                .invalidInput,
                "the Teams service URL \(serviceURL) is not under an allowed prefix "
                    + "(\(allowedServiceURLPrefixes.joined(separator: ", "))): see --teams-service-url-prefix")
        }
    }

    private func activityID(of body: Data) throws(ChatError) -> String {
        guard let id = (try? KubeJSON.decode(JSONValue.self, from: body))?["id"]?.stringValue, !id.isEmpty else {
            throw ChatError(.unexpectedAnswer, "the Bot Connector answered without an activity id")
        }
        return id
    }

    static func base(_ serviceURL: String) -> String {
        var base = serviceURL
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// A path segment: conversation ids hold `:`, `@` and `;`.
    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~:@"))) ?? ""
    }
}
