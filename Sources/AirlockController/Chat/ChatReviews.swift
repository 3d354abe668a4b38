import AirlockAPI
import AirlockChat
import AirlockPolicy
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import Synchronization

/// Reviews taken in chat (Slack, Teams), channel-neutral: first the checks that would make a
/// review useless — the request gone, decided or expired, the user being the requester or the
/// agent's owner, a policy that does not allow the user, "approve for less" not shorter, no
/// RBAC `approve` (SubjectAccessReview) — answered with a reason that changes nothing;
/// otherwise the ActionReview is created as the controller on the user's behalf
/// (`spec.onBehalfOf` with the intent's channel), named from the click so a repeated delivery
/// is idempotent. The lifecycle judges it like every review; these checks only spare
/// reviewers a click that cannot count.
public final class ChatReviews: Sendable {
    let client: KubernetesClient
    let requests: Store<ActionRequest>
    let controllerUsername: String
    let authorizer: ReviewAuthorizer
    let clock: AnyWallClock
    let logger: Logger

    public init(
        client: KubernetesClient, requests: Store<ActionRequest>, controllerUsername: String,
        clock: AnyWallClock = .system, logger: Logger
    ) {
        self.client = client
        self.requests = requests
        self.controllerUsername = controllerUsername
        self.authorizer = ReviewAuthorizer(client: client)
        self.clock = clock
        self.logger = logger
    }

    /// What became of a review taken in chat.
    public enum Outcome: Sendable, Hashable {
        /// The ActionReview exists (created now, or by an earlier delivery of the same click).
        case recorded
        /// Nothing was changed, for this reason (in the clicking user's words).
        case refused(String)
    }

    /// Checks, then creates the review; returns once it is persisted (or refused).
    public func submit(_ intent: ChatReviewIntent) async -> Outcome {
        let request: ActionRequest
        switch await lookUp(intent.request) {
        case .failure(let refusal): return .refused(refusal.message)
        case .success(let found): request = found
        }
        if let reason = await refusal(of: intent, on: request) {
            logger.info(
                "chat review refused",
                metadata: [
                    "channel": "\(intent.channel)", "request": "\(intent.request.qualifiedName)",
                    "username": "\(intent.username)", "reason": "\(reason)",
                ])
            return .refused(reason)
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
            logger.error("could not create the review of a \(intent.channel) click: \(error)")
            return .refused(
                "Airlock could not record it right now (\(Self.short(error))); try again, or use "
                    + "`kubectl airlock` — nothing was changed")
        }
        return .recorded
    }

    /// Why the review would change nothing, or nil when it can count: the lifecycle's own
    /// rules (``AirlockPolicy/ReviewTally``) on the stored decision, then RBAC.
    public func refusal(of intent: ChatReviewIntent, on request: ActionRequest) async -> String? {
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
    public struct Refusal: Error {
        public var message: String
    }

    /// The request instance a card is about, from the cache (or the API server when the cache
    /// has not seen it).
    public func lookUp(_ reference: ChatRequestReference) async -> Result<ActionRequest, Refusal> {
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

    static func short(_ error: any Error) -> String {
        String("\(error)".prefix(200))
    }
}
