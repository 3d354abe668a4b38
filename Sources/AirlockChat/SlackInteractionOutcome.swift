import KubeCore

/// What ``SlackInteractionHandler`` decided about one incoming request; the caller performs it.
public enum SlackInteractionOutcome: Sendable, Hashable {
    /// Create the review (on the user's behalf), then answer with
    /// ``SlackHTTPAnswer/reviewRecorded(_:)`` or ``SlackHTTPAnswer/reviewRefused(_:reason:)``.
    case submitReview(ChatReviewIntent)
    /// Open `view` with `views.open` now (the trigger expires in 3 s), then answer
    /// ``SlackHTTPAnswer/ok``; if opening fails, post a note to `responseURL`.
    case openModal(triggerID: String, view: JSONValue, responseURL: String?)
    /// Answer this and do nothing else.
    case respond(SlackHTTPAnswer)

    /// The HTTP answer when no review has to be persisted first: the answer itself for
    /// `.respond`, 200 for `.openModal` (after `views.open`); nil for `.submitReview`.
    public var immediateAnswer: SlackHTTPAnswer? {
        switch self {
        case .respond(let answer): answer
        case .openModal: .ok
        case .submitReview: nil
        }
    }
}
