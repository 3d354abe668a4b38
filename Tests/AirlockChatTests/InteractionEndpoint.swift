import AirlockChat
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// `POST /slack/interactions` wired the way the controller wires it, for tests: the handler
/// decides, this performs (open the modal, "persist" the review, post the follow-up note).
final class InteractionEndpoint: Sendable {
    let port: Int
    private let store: Store
    private let task: Task<Void, any Error>

    var url: String { "http://127.0.0.1:\(port)/slack/interactions" }
    /// The reviews "persisted", in order.
    var intents: [ChatReviewIntent] { store.intents.withLock { $0 } }
    /// Follow-up notes that could not be posted.
    var followUpErrors: [String] { store.followUpErrors.withLock { $0 } }

    private init(port: Int, store: Store, task: Task<Void, any Error>) {
        self.port = port
        self.store = store
        self.task = task
    }

    /// - Parameter refuse: why a review changes nothing (e.g. the requester approving), or nil.
    static func start(
        handler: SlackInteractionHandler, client: SlackClient,
        refuse: @escaping @Sendable (ChatReviewIntent) -> String? = { _ in nil }
    ) async throws -> InteractionEndpoint {
        let store = Store()
        let router = Router()
        router.post("/slack/interactions") { request, _ -> Response in
            let body = try await request.body.collect(upTo: SlackInteractionHandler.maxBodyBytes)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let outcome = await handler.handle(body: Array(body.readableBytesView), headers: headers, now: Date())
            let answer: SlackHTTPAnswer
            switch outcome {
            case .submitReview(let intent):
                if let reason = refuse(intent) {
                    answer = .reviewRefused(intent, reason: reason)
                } else {
                    store.intents.withLock { $0.append(intent) }
                    answer = .reviewRecorded(intent)
                }
            case .openModal(let trigger, let view, let responseURL):
                do throws(ChatError) {
                    try await client.openView(triggerID: trigger, view: view)
                    answer = .ok
                } catch {
                    answer = .note("Could not open the form: \(error.message)", responseURL: responseURL)
                }
            case .respond(let immediate):
                answer = immediate
            }
            if let followUp = answer.followUp {
                do throws(ChatError) {
                    try await client.respond(to: followUp.responseURL, text: followUp.text)
                } catch {
                    store.followUpErrors.withLock { $0.append(error.message) }
                }
            }
            var fields = HTTPFields()
            if let type = answer.contentType { fields[.contentType] = type }
            return Response(
                status: HTTPResponse.Status(code: answer.status), headers: fields,
                body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "test.interactions")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw ChatError(.unavailable, "the test interaction endpoint did not start")
        }
        return InteractionEndpoint(port: port, store: store, task: task)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    final class Store: Sendable {
        let intents = Mutex<[ChatReviewIntent]>([])
        let followUpErrors = Mutex<[String]>([])
    }
}
