import AirlockPolicy
import Foundation
import Testing

@testable import AirlockController

/// The parts of the Slack interaction service that need no API server (the rest is in the
/// cluster tests, over real sockets).
@Suite struct SlackInteractionServiceTests {
    @Test func anAnswerWaitsForTheWorkWithinTheBudget() async {
        let quick = Task { "persisted" }
        #expect(await ChatReviews.first(of: quick, within: .seconds(5)) == "persisted")
    }

    @Test(.timeLimit(.minutes(1))) func slowWorkIsNotAwaitedPastTheBudgetAndGoesOn() async throws {
        // The work cannot finish before the test lets it: only the budget can end the wait.
        let gate = AsyncStream.makeStream(of: Void.self)
        let slow = Task {
            var iterator = gate.stream.makeAsyncIterator()
            await iterator.next()
            return "persisted"
        }
        #expect(await ChatReviews.first(of: slow, within: .milliseconds(20)) == nil)
        // The review is still created: the work was not cancelled.
        gate.continuation.yield()
        #expect(await slow.value == "persisted")
        #expect(!slow.isCancelled)
    }

    @Test func refusalsSpeakToThePersonWhoClicked() {
        #expect(
            SlackInteractionService.explain(.onBehalfOfRequester, "alice is the requester").hasPrefix(
                "you asked for this access"))
        #expect(SlackInteractionService.explain(.onBehalfOfGrantee, "x").contains("receive this access yourself"))
        #expect(SlackInteractionService.explain(.notPending, "the request is Granted") == "the request is Granted")
    }
}
