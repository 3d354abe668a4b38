import AsyncHTTPClient
import Foundation
import Hummingbird
import KubeCore
import NIOCore

/// The local approval inbox: the fake Slack's messages as a web page on loopback. A click on
/// a card's button becomes a `block_actions` interaction from ``connectInbox(interactionURL:reviewer:)``'s
/// reviewer, signed with the signing secret and POSTed to Airlock's interactivity endpoint —
/// what Slack does. Routes: `GET /` (the page), `GET /inbox/version` (changes when a card
/// does), `POST /inbox/click` and `POST /inbox/submit` (the page's forms).
extension FakeSlackServer {
    struct InboxState {
        var interactionURL: String?
        var reviewer: String?
        var notices: [String] = []
        var submittedViews: Set<String> = []
        /// Required with every form POST (CSRF): only the page served here has it.
        let formToken = (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined()
    }

    /// What an inbox click or submission did.
    public struct InboxOutcome: Sendable, Hashable {
        /// Airlock's HTTP status (0: not delivered).
        public var status: Int
        /// A line for the page and the terminal.
        public var notice: String
    }

    /// The inbox page.
    public var inboxURL: String { "http://127.0.0.1:\(port)/" }

    /// The page scrolled to one card.
    public func cardURL(ts: String) -> String { "\(inboxURL)#card-\(ts)" }

    /// Where clicks go (Airlock's `POST /slack/interactions`) and who clicks (a Slack user id).
    public func connectInbox(interactionURL: String, reviewer: String) {
        state.withLock {
            $0.inbox.interactionURL = interactionURL
            $0.inbox.reviewer = reviewer
        }
    }

    /// Clicks `actionID` on a card as the inbox's reviewer: what the page's buttons do.
    public func inboxClick(
        _ actionID: String, channel: String, ts: String, option: String? = nil
    ) async throws -> InboxOutcome {
        let (url, reviewer) = state.withLock { ($0.inbox.interactionURL, $0.inbox.reviewer) }
        guard let url, let reviewer else { return note(InboxOutcome(status: 0, notice: "not connected to Airlock")) }
        guard let message = message(channel: channel, ts: ts) else {
            return note(InboxOutcome(status: 0, notice: "no card \(ts) in \(channel)"))
        }
        let interaction = try blockActions(clicking: actionID, on: message, user: reviewer, option: option)
        let (status, body) = try await post(interaction, to: url)
        let label = InboxPage.items(interaction.payload["actions"]).first?["text"]?["text"]?.stringValue ?? actionID
        return note(
            InboxOutcome(
                status: status,
                notice: "\(label): Airlock answered \(status)\(body.isEmpty ? "" : " " + body.prefix(200))"))
    }

    /// Submits an open modal (the Deny reason) with `values[block_id][action_id]`.
    public func inboxSubmit(view id: String, values: [String: [String: String]]) async throws -> InboxOutcome {
        let (url, reviewer) = state.withLock { ($0.inbox.interactionURL, $0.inbox.reviewer) }
        guard let url, let reviewer, let view = openedViews.first(where: { $0.id == id }) else {
            return note(InboxOutcome(status: 0, notice: "no open form \(id)"))
        }
        let (status, body) = try await post(viewSubmission(of: view, user: reviewer, values: values), to: url)
        if status == 200 && !body.contains("\"errors\"") {
            state.withLock { _ = $0.inbox.submittedViews.insert(id) }
        }
        return note(
            InboxOutcome(
                status: status,
                notice: "submitted: Airlock answered \(status)\(body.isEmpty ? "" : " " + body.prefix(200))"))
    }

    /// POSTs a form to the inbox's `path` as a browser would (for tests of what it refuses);
    /// returns the HTTP status.
    public func postInboxForm(_ path: String, _ fields: [String: String]) async throws -> Int {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let body = fields.sorted { $0.key < $1.key }.map { "\(Self.formEscape($0.key))=\(Self.formEscape($0.value))" }
        request.body = .bytes(ByteBuffer(string: body.joined(separator: "&")))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return Int(response.status.code)
    }

    /// Changes whenever the page would.
    var inboxVersion: Int {
        state.withLock { state in
            state.messages.count + state.messages.reduce(0) { $0 + $1.updates } + state.openedViews.count
                + state.responsePosts.count + state.inbox.notices.count + state.inbox.submittedViews.count
        }
    }

    func inboxContent() -> InboxPage.Content {
        state.withLock { state in
            let replies = state.responsePosts.compactMap { $0.body["text"]?.stringValue }.map { "Airlock: \($0)" }
            return InboxPage.Content(
                messages: state.messages,
                views: state.openedViews.filter { !state.inbox.submittedViews.contains($0.id) },
                notices: state.inbox.notices + replies,
                reviewer: state.inbox.reviewer.map { state.users[$0] ?? User(id: $0, name: $0) },
                connected: state.inbox.interactionURL != nil, version: 0, formToken: state.inbox.formToken)
        }
    }

    private func note(_ outcome: InboxOutcome) -> InboxOutcome {
        state.withLock { $0.inbox.notices.append(outcome.notice) }
        return outcome
    }

    // MARK: Routes

    static func addInboxRoutes(to router: Router<BasicRequestContext>, _ box: FakeSlackServerBox) {
        router.get("/") { _, _ -> Response in
            guard let server = box.server else { return Response(status: .serviceUnavailable) }
            var content = server.inboxContent()
            content.version = server.inboxVersion
            return Self.html(InboxPage.render(content))
        }
        router.get("/inbox/version") { _, _ -> Response in
            guard let server = box.server else { return Response(status: .serviceUnavailable) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: String(server.inboxVersion))))
        }
        router.post("/inbox/click") { request, _ -> Response in
            guard let server = box.server else { return Response(status: .serviceUnavailable) }
            let form = try await Self.form(request)
            guard server.acceptsForm(form) else { return Response(status: .forbidden) }
            let outcome = try await server.inboxClick(
                form["action"] ?? "", channel: form["channel"] ?? "", ts: form["ts"] ?? "", option: form["option"])
            return Self.seeOther(outcome.status == 0 ? "/" : "/#card-\(form["ts"] ?? "")")
        }
        router.post("/inbox/submit") { request, _ -> Response in
            guard let server = box.server else { return Response(status: .serviceUnavailable) }
            let form = try await Self.form(request)
            guard server.acceptsForm(form) else { return Response(status: .forbidden) }
            var values: [String: [String: String]] = [:]
            for (name, value) in form where name.hasPrefix("v|") {
                let parts = name.split(separator: "|", omittingEmptySubsequences: false)
                guard parts.count == 3 else { continue }
                values[String(parts[1]), default: [:]][String(parts[2])] = value
            }
            _ = try await server.inboxSubmit(view: form["view"] ?? "", values: values)
            return Self.seeOther("/")
        }
    }

    private func acceptsForm(_ form: [String: String]) -> Bool {
        form["token"] == state.withLock { $0.inbox.formToken }
    }

    private static func form(_ request: Request) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: 64 << 10)
        return formFields(String(buffer: body)).compactMapValues(\.stringValue)
    }

    private static func html(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
