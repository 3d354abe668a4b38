import AirlockAPI
import AirlockChat
import AirlockPolicy
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import Synchronization

/// The controller's side of `POST /slack/interactions`: the ``AirlockChat/SlackInteractionHandler``
/// verifies the signature over the raw body, refuses replays, parses and maps the user; this
/// then performs what it decided:
///
/// - a review (Approve, Approve for less, Revoke, Deny with its reason): first the checks
///   that would make it useless — the request gone, decided or expired, the user being the
///   requester or the agent's owner, a policy that does not allow the user, "approve for less"
///   not shorter, no RBAC `approve` (SubjectAccessReview) — answered with a note that changes
///   nothing; otherwise the ActionReview is created as the controller on the user's behalf
///   (`spec.onBehalfOf`, channel `slack`), named from the click so a repeated delivery is
///   idempotent, and Slack is answered only once it is persisted (within ``answerBudget``);
/// - Deny: the reason modal is opened at once (`views.open`, the trigger lives 3 s), unless the
///   request can no longer be denied.
///
/// Notes to the clicking user go to the interaction's `response_url` (ephemeral), after the
/// HTTP answer. The same checks run again when the lifecycle judges the review: these only
/// spare reviewers a click that cannot count.
public final class SlackInteractionService: Sendable {
    /// Slack waits 3 s for the HTTP answer; this leaves room for the network.
    public static let answerBudget: Duration = .milliseconds(2500)

    /// How long a click's answer waits for its review to be persisted (``answerBudget``; tests
    /// of the outcome on a loaded machine wait longer).
    let budget: Duration
    let slack: any SlackAccess
    let reviews: ChatReviews
    let clock: AnyWallClock
    let logger: Logger
    /// Follow-up notes in flight (tests wait for them).
    let followUps = Mutex<Int>(0)

    public init(
        slack: any SlackAccess, client: KubernetesClient, requests: Store<ActionRequest>, controllerUsername: String,
        clock: AnyWallClock = .system, logger: Logger, answerBudget: Duration = SlackInteractionService.answerBudget
    ) {
        self.budget = answerBudget
        self.slack = slack
        self.clock = clock
        var logger = logger
        logger[metadataKey: "component"] = "slack-interactions"
        self.logger = logger
        self.reviews = ChatReviews(
            client: client, requests: requests, controllerUsername: controllerUsername, clock: clock, logger: logger)
    }

    /// Handles one POST: `body` exactly as received, `headers` with names in any case.
    public func handle(body: [UInt8], headers: [String: String]) async -> SlackHTTPAnswer {
        let handler: SlackInteractionHandler
        do throws(ChatError) {
            handler = try await slack.interactions()
        } catch {
            return .error(503, "Airlock cannot read its Slack credentials right now; try again later")
        }
        let answer: SlackHTTPAnswer
        switch await handler.handle(body: body, headers: headers, now: clock.date) {
        case .respond(let immediate):
            answer = immediate
        case .openModal(let trigger, let view, let responseURL):
            answer = await openModal(trigger: trigger, view: view, responseURL: responseURL)
        case .submitReview(let intent):
            let work = Task { await self.submit(intent) }
            if let persisted = await ChatReviews.first(of: work, within: budget) {
                answer = persisted
            } else {
                logger.warning("recording a Slack review takes longer than \(budget)")
                answer = .note(
                    ":hourglass_flowing_sand: Airlock is still recording your review of "
                        + "\(intent.request.qualifiedName); the card shows it once it counts.",
                    responseURL: intent.responseURL)
            }
        }
        if let followUp = answer.followUp { send(followUp) }
        return answer
    }

    // MARK: Deny modal

    private func openModal(trigger: String, view: JSONValue, responseURL: String?) async -> SlackHTTPAnswer {
        if let metadata = view["private_metadata"]?.stringValue,
            let modal = try? SlackDenyModal(privateMetadata: metadata)
        {
            switch await reviews.lookUp(modal.request) {
            case .failure(let refusal):
                return .note(":no_entry: \(refusal.message)", responseURL: responseURL)
            case .success(let request):
                let phase = request.status?.phase ?? .pending
                if phase != .pending {
                    return .note(
                        ":no_entry: \(modal.request.qualifiedName) is already \(phase.rawValue): nothing to deny.",
                        responseURL: responseURL)
                }
            }
        }
        do throws(ChatError) {
            try await slack.client().openView(triggerID: trigger, view: view)
            return .ok
        } catch {
            logger.warning("could not open the deny form: \(error)")
            return .note(
                "Airlock could not open the form (\(error.message)); click Deny again.", responseURL: responseURL)
        }
    }

    // MARK: Reviews

    /// Checks, then creates the review; the answer once it is persisted (or refused).
    func submit(_ intent: ChatReviewIntent) async -> SlackHTTPAnswer {
        switch await reviews.submit(intent) {
        case .recorded: .reviewRecorded(intent)
        case .refused(let reason): .reviewRefused(intent, reason: reason)
        }
    }

    /// The core's reason, in the words of the person who clicked (``ChatReviews/explain(_:_:)``).
    static func explain(_ rejection: ReviewRejection, _ message: String) -> String {
        ChatReviews.explain(rejection, message)
    }

    // MARK: Helpers

    private func send(_ followUp: SlackHTTPAnswer.FollowUp) {
        followUps.withLock { $0 += 1 }
        Task {
            defer { followUps.withLock { $0 -= 1 } }
            do throws(ChatError) {
                try await slack.client().respond(to: followUp.responseURL, text: followUp.text)
            } catch {
                logger.warning("could not answer a Slack click through its response_url: \(error.message)")
            }
        }
    }

    /// Follow-up notes not yet posted.
    public var pendingFollowUps: Int { followUps.withLock { $0 } }

}
