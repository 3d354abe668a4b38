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

    let slack: any SlackAccess
    let client: KubernetesClient
    let requests: Store<ActionRequest>
    let controllerUsername: String
    let authorizer: ReviewAuthorizer
    let clock: AnyWallClock
    let logger: Logger
    /// Follow-up notes in flight (tests wait for them).
    let followUps = Mutex<Int>(0)

    public init(
        slack: any SlackAccess, client: KubernetesClient, requests: Store<ActionRequest>, controllerUsername: String,
        clock: AnyWallClock = .system, logger: Logger
    ) {
        self.slack = slack
        self.client = client
        self.requests = requests
        self.controllerUsername = controllerUsername
        self.authorizer = ReviewAuthorizer(client: client)
        self.clock = clock
        var logger = logger
        logger[metadataKey: "component"] = "slack-interactions"
        self.logger = logger
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
            if let persisted = await Self.first(of: work, within: Self.answerBudget) {
                answer = persisted
            } else {
                logger.warning("recording a Slack review takes longer than \(Self.answerBudget)")
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
            switch await lookUp(modal.request) {
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
        let request: ActionRequest
        switch await lookUp(intent.request) {
        case .failure(let refusal): return .reviewRefused(intent, reason: refusal.message)
        case .success(let found): request = found
        }
        if let reason = await refusal(of: intent, on: request) {
            logger.info(
                "Slack review refused",
                metadata: [
                    "request": "\(intent.request.qualifiedName)", "username": "\(intent.username)",
                    "reason": "\(reason)",
                ])
            return .reviewRefused(intent, reason: reason)
        }
        let review = ActionReview(
            metadata: ObjectMeta(name: intent.reviewName, namespace: intent.namespace),
            spec: ActionReviewSpec(
                request: intent.name, decision: intent.decision, duration: intent.duration, comment: intent.comment,
                onBehalfOf: OnBehalfOf(
                    username: intent.username, channel: intent.channel, externalUser: intent.externalUser,
                    groups: intent.groups)))
        do {
            _ = try await client.create(review)
        } catch let error as KubernetesError where error.isAlreadyExists {
            // The same click delivered again: its review exists already.
        } catch {
            logger.error("could not create the review of a Slack click: \(error)")
            return .reviewRefused(
                intent,
                reason: "Airlock could not record it right now (\(Self.short(error))); try again, or use "
                    + "`kubectl airlock` — nothing was changed")
        }
        return .reviewRecorded(intent)
    }

    /// Why the review would change nothing, or nil when it can count: the lifecycle's own
    /// rules (``AirlockPolicy/ReviewTally``) on the stored decision, then RBAC.
    func refusal(of intent: ChatReviewIntent, on request: ActionRequest) async -> String? {
        let phase = request.status?.phase ?? .pending
        let what = intent.request.qualifiedName
        if phase.isTerminal { return "\(what) is already \(phase.rawValue): nothing to change" }
        if intent.decision == .approve, let duration = intent.duration, duration >= request.spec.duration {
            return "Approve for less must be shorter than the \(request.spec.duration) asked"
        }
        let requirements: ApprovalRequirements
        if phase == .granted {
            requirements = ActionRequestLifecycle.grantedRequirements(of: request)
        } else if let decision = request.status?.decision {
            guard let stored = ApprovalRequirements(decision: decision) else {
                return "\(what) does not wait for reviews (\(decision.outcome.rawValue))"
            }
            requirements = stored
        } else {
            return "Airlock has not evaluated \(what) yet; try again in a moment"
        }
        let tally = ActionRequestLifecycle.tally(for: request, requirements: requirements, phase: phase)
        let identity = Identity(username: intent.username, groups: intent.groups)
        let candidate = ReviewCandidate(
            name: intent.reviewName, reviewer: Identity(username: controllerUsername),
            onBehalfOf: OnBehalfOf(
                username: intent.username, channel: intent.channel, externalUser: intent.externalUser,
                groups: intent.groups),
            onBehalfOfGroups: intent.groups, onBehalfOfPermitted: true, decision: intent.decision,
            duration: intent.duration, comment: intent.comment, channel: intent.channel, signatureVerified: true,
            approveAllowed: true, at: clock.date, requestUID: request.metadata.uid)
        if let verdict = tally.tally([candidate]).verdicts.first, let rejection = verdict.rejection {
            return Self.explain(rejection, verdict.message)
        }
        guard tally.needsAuthorization(candidate) else { return nil }
        do {
            if try await authorizer.mayApprove(identity, namespace: intent.namespace, request: intent.name) {
                return nil
            }
            return "\(intent.username) may not approve ActionRequests in \(intent.namespace) (RBAC verb approve on "
                + "actionrequests.airlock.dev)"
        } catch {
            return "Airlock could not check your permission right now (\(Self.short(error))); try again"
        }
    }

    /// The core's reason, in the words of the person who clicked.
    static func explain(_ rejection: ReviewRejection, _ message: String) -> String {
        switch rejection {
        case .onBehalfOfRequester, .selfApproval:
            "you asked for this access, or own the agent that did, so someone else must review it (\(message))"
        case .onBehalfOfGrantee, .granteeApproval:
            "you would receive this access yourself, so someone else must review it"
        default:
            message
        }
    }

    /// A refusal message (a failure type for `Result`).
    struct Refusal: Error {
        var message: String
    }

    /// The request instance a card is about, from the cache (or the API server when the cache
    /// has not seen it).
    func lookUp(_ reference: ChatRequestReference) async -> Result<ActionRequest, Refusal> {
        let key = ObjectKey(namespace: reference.namespace, name: reference.name)
        var request = requests.get(key)
        if request?.metadata.uid != reference.uid {
            do {
                request = try await client.get(ActionRequest.self, name: reference.name, namespace: reference.namespace)
            } catch let error as KubernetesError where error.isNotFound {
                request = nil
            } catch {
                return .failure(Refusal(message: "Airlock cannot read \(reference.qualifiedName) right now; try again"))
            }
        }
        guard let request, request.metadata.uid == reference.uid else {
            return .failure(Refusal(message: "\(reference.qualifiedName) no longer exists: nothing was changed"))
        }
        return .success(request)
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

    /// The task's value, or nil when `budget` passes first (the task goes on).
    static func first<T: Sendable>(of work: Task<T, Never>, within budget: Duration) async -> T? {
        let once = Mutex<CheckedContinuation<T?, Never>?>(nil)
        return await withCheckedContinuation { continuation in
            once.withLock { $0 = continuation }
            let resume: @Sendable (T?) -> Void = { value in once.withLock { $0.take()?.resume(returning: value) } }
            let timer = Task {
                do { try await Task.sleep(for: budget) } catch { return }
                resume(nil)
            }
            Task {
                resume(await work.value)
                timer.cancel()
            }
        }
    }

    private static func short(_ error: any Error) -> String {
        String("\(error)".prefix(200))
    }
}
