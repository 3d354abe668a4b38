import AirlockAPI
import AirlockChat
import Foundation

/// What ``DeliveryPlanner`` found due for one request: per notification target, the steps to
/// perform in order (a target's later steps wait when one fails), and when to look again.
public struct DeliveryPlan: Sendable, Hashable {
    /// One target's due steps.
    public struct Target: Sendable, Hashable {
        /// ``AirlockAPI/AirlockConstants/Channel``: `slack` or `webhook`.
        public var channel: String
        /// The Slack channel as the policy names it, or the webhook Secret key as `name/key`.
        public var target: String
        public var steps: [DeliveryStep]

        public init(channel: String, target: String, steps: [DeliveryStep]) {
            self.channel = channel
            self.target = target
            self.steps = steps
        }

        /// Whether the card is to be posted.
        public var postsCard: Bool {
            steps.contains { if case .postCard = $0 { true } else { false } }
        }

        /// The Slack thread replies to post (Slack's can be looked up; Teams' cannot).
        public var claimedReplies: [String] {
            guard channel == AirlockConstants.Channel.slack else { return [] }
            return steps.compactMap { if case .reply(let reply, _) = $0 { reply.rawValue } else { nil } }
        }
    }

    public var targets: [Target]
    /// When something not due yet becomes due (a reply before the end, a backoff, a
    /// `Retry-After`); nil: only a change of the request makes more work.
    public var wakeAt: Date?

    public init(targets: [Target] = [], wakeAt: Date? = nil) {
        self.targets = targets
        self.wakeAt = wakeAt
    }

    /// Whether nothing is due now.
    public var isEmpty: Bool { targets.allSatisfy(\.steps.isEmpty) }

    /// Whether a card is to be posted or a Slack thread reply: the notifier records the
    /// attempt first (write-ahead), so a later pass looks it up instead of posting it twice.
    public var needsClaim: Bool {
        targets.contains { $0.postsCard || !$0.claimedReplies.isEmpty }
    }
}

/// One delivery call.
public enum DeliveryStep: Sendable, Hashable {
    /// `chat.postMessage` of the approval card; with `lookUpFirst` an earlier post may have
    /// reached Slack, so `conversations.history` is searched for the card's metadata first.
    case postCard(lookUpFirst: Bool)
    /// `chat.update` of the card to what the request shows now (``DeliveryPlanner/cardState(of:)``).
    case updateCard(String)
    /// A thread reply under the card; with `lookUpFirst` an earlier post may have reached Slack,
    /// so the thread is searched for the reply's metadata first.
    case reply(NotificationState.Reply, lookUpFirst: Bool)
    /// One CloudEvent to the target's webhook.
    case event(PlannedEvent)
    /// Nothing can be delivered (the channel is not configured): record why, once.
    case unavailable(String)
}

/// A transition of a request as a CloudEvent: its type, the stable id derived from the
/// lifecycle's announcement key (`<uid>/granted`, ...), and when it happened.
public struct PlannedEvent: Sendable, Hashable {
    public var key: String
    public var id: String
    public var type: RequestEventType
    public var time: Date

    public init(key: String, type: RequestEventType, time: Date) {
        self.key = key
        self.id = RequestEventType.eventID(idempotencyKey: key)
        self.type = type
        self.time = time
    }
}
