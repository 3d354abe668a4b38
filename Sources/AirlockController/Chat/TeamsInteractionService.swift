import AirlockAPI
import AirlockChat
import Crypto
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging

/// The controller's side of `POST /teams/messages`: the ``AirlockChat/TeamsInvokeHandler``
/// validates the Bot Framework token, the tenant, parses the click and maps the user; this then
/// acts and answers with the refreshed card (`application/vnd.microsoft.card.adaptive`, shown
/// to the user who clicked) within ``answerBudget``:
///
/// - `refresh` (automatic for the card's `refresh.userIds`, or the **Review…** button): the
///   user's own view — live buttons when a review by them could count (``ChatReviews`` checks:
///   not the requester or owner, allowed by policy, RBAC `approve`), else the reason;
/// - Approve, Approve for less, Deny (with the card's reason), Revoke: the ActionReview created
///   on the user's behalf (channel `teams`, named from the invoke's activity id so a repeated
///   delivery is idempotent), answered once persisted. The card is updated for everyone by the
///   notifier once the lifecycle has judged the review.
public final class TeamsInteractionService: Sendable {
    /// Teams waits up to 15 s for an invoke's answer; Airlock answers well within 5 s.
    public static let answerBudget: Duration = .milliseconds(4000)

    /// When one click was received, its review persisted (nil when none was created) and its
    /// answer ready: for measurements.
    public struct Timing: Sendable {
        public var received: ContinuousClock.Instant
        public var persisted: ContinuousClock.Instant?
        public var answered: ContinuousClock.Instant
    }

    /// How long an invoke's answer waits for its review (``answerBudget``; tests of the
    /// outcome on a loaded machine wait longer).
    let budget: Duration
    let teams: any TeamsAccess
    let reviews: ChatReviews
    let clock: AnyWallClock
    let logger: Logger
    let timings: (@Sendable (Timing) -> Void)?

    public init(
        teams: any TeamsAccess, client: KubernetesClient, requests: Store<ActionRequest>, controllerUsername: String,
        clock: AnyWallClock = .system, logger: Logger, timings: (@Sendable (Timing) -> Void)? = nil,
        answerBudget: Duration = TeamsInteractionService.answerBudget
    ) {
        self.budget = answerBudget
        self.teams = teams
        self.clock = clock
        self.timings = timings
        var logger = logger
        logger[metadataKey: "component"] = "teams-invokes"
        self.logger = logger
        self.reviews = ChatReviews(
            client: client, requests: requests, controllerUsername: controllerUsername, clock: clock, logger: logger)
    }

    /// Handles one POST: `body` exactly as received, `headers` with names in any case.
    public func handle(body: [UInt8], headers: [String: String]) async -> TeamsHTTPAnswer {
        let received = ContinuousClock.now
        let handler: TeamsInvokeHandler
        do throws(ChatError) {
            handler = try await teams.invokes()
        } catch {
            return .refused(503, "Airlock cannot read its Teams credentials right now; try again later")
        }
        switch await handler.handle(body: body, headers: headers, now: clock.date) {
        case .respond(let answer):
            return answer
        case .act(let action, let activity, let identity):
            let work = Task { await self.act(action, activity: activity, identity: identity) }
            if let done = await ChatReviews.first(of: work, within: budget) {
                timings?(Timing(received: received, persisted: done.1, answered: .now))
                return done.0
            }
            logger.warning("answering a Teams click takes longer than \(budget)")
            return .card(
                TeamsApprovalCard.notice(
                    "Airlock is still recording your click on \(action.request.qualifiedName); the card shows it once"
                        + " it counts."))
        }
    }

    /// Acts on a verified click; the answer once done.
    func act(
        _ action: TeamsCardAction, activity: TeamsActivity, identity: ChatIdentity?
    ) async -> (TeamsHTTPAnswer, ContinuousClock.Instant?) {
        var persisted: ContinuousClock.Instant?
        let answer = await answer(action, activity: activity, identity: identity, persisted: &persisted)
        return (answer, persisted)
    }

    private func answer(
        _ action: TeamsCardAction, activity: TeamsActivity, identity: ChatIdentity?,
        persisted: inout ContinuousClock.Instant?
    ) async -> TeamsHTTPAnswer {
        let request: ActionRequest
        switch await reviews.lookUp(action.request) {
        case .failure(let refusal): return .card(TeamsApprovalCard.notice(refusal.message))
        case .success(let found): request = found
        }
        let summary: ApprovalSummary
        do throws(ChatError) {
            summary = try ApprovalSummary(request: request)
        } catch {
            return .badRequest(error.message)
        }
        let card = TeamsApprovalCard(summary: summary, candidates: await teams.refreshCandidates())
        guard let identity, let objectID = activity.fromAADObjectID else {
            return .card(
                card.card(
                    .bystander,
                    note: "Airlock does not know your Teams account: ask an Airlock admin to map it (docs/teams.md)."))
        }
        /// The user's own view: live buttons only when a review by them could count.
        func ownView(note: String? = nil) async -> TeamsHTTPAnswer {
            guard card.isReviewable else { return .card(card.card(.everyone)) }
            let probe = intent(
                action, activity, identity, objectID, decision: request.status?.phase == .granted ? .revoke : .approve)
            if let reason = await reviews.refusal(of: probe, on: request) {
                return .card(card.card(.bystander, note: "You cannot act on this request: \(reason)."))
            }
            return .card(card.card(.reviewer, note: note))
        }
        let decision: ReviewDecision
        switch action.verb {
        case .refresh:
            return await ownView()
        case .deny where action.reason == nil:
            return await ownView(note: "Type a reason, then click Deny.")
        case .approveLess where action.duration == nil:
            return await ownView(note: "Choose a shorter duration, then click Approve for less.")
        case .approve, .approveLess: decision = .approve
        case .deny: decision = .deny
        case .revoke: decision = .revoke
        }
        let review = intent(action, activity, identity, objectID, decision: decision)
        switch await reviews.submit(review) {
        case .refused(let reason):
            return .card(card.card(.bystander, note: "Nothing was changed: \(reason)."))
        case .recorded:
            persisted = .now
            let what: String =
                switch decision {
                case .approve: "approval" + (review.duration.map { " for \($0)" } ?? "")
                case .deny: "denial"
                case .revoke: "revocation"
                }
            return .card(
                card.card(
                    .everyone,
                    note: "Your \(what) of \(action.request.qualifiedName) was recorded as \(identity.username);"
                        + " the card updates for everyone once it counts."))
        }
    }

    private func intent(
        _ action: TeamsCardAction, _ activity: TeamsActivity, _ identity: ChatIdentity, _ objectID: String,
        decision: ReviewDecision
    ) -> ChatReviewIntent {
        let key = [activity.id ?? "", activity.fromID, action.verb.rawValue, action.request.description]
            .joined(separator: "\n")
        return ChatReviewIntent(
            request: action.request, decision: decision,
            duration: action.verb == .approveLess ? action.duration : nil,
            comment: decision == .deny ? action.reason : nil, channel: AirlockConstants.Channel.teams,
            externalUser: objectID, externalUsername: activity.fromName, externalTeam: activity.tenantID,
            username: identity.username, groups: identity.groups, source: .button,
            idempotencyKey: Hex.encode(SHA256.hash(data: Data(key.utf8))))
    }
}
