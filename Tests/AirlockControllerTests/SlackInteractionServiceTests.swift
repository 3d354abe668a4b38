import AirlockPolicy
import Foundation
import Testing

@testable import AirlockController

/// The parts of the Slack interaction service that need no API server (the rest is in the
/// cluster tests, over real sockets).
@Suite struct SlackInteractionServiceTests {
    @Test func anAnswerWaitsForTheWorkWithinTheBudget() async {
        let quick = Task { "persisted" }
        #expect(await SlackInteractionService.first(of: quick, within: .seconds(5)) == "persisted")
    }

    @Test func slowWorkIsNotAwaitedPastTheBudgetAndGoesOn() async throws {
        let finished = AsyncStream.makeStream(of: Void.self)
        let slow = Task {
            try? await Task.sleep(for: .milliseconds(300))
            finished.continuation.yield()
            return "persisted"
        }
        let started = ContinuousClock.now
        #expect(await SlackInteractionService.first(of: slow, within: .milliseconds(20)) == nil)
        #expect(started.duration(to: .now) < .milliseconds(250))
        // The review is still created: the work was not cancelled.
        var iterator = finished.stream.makeAsyncIterator()
        await iterator.next()
        #expect(await slow.value == "persisted")
    }

    @Test func refusalsSpeakToThePersonWhoClicked() {
        #expect(
            SlackInteractionService.explain(.onBehalfOfRequester, "alice is the requester").hasPrefix(
                "you asked for this access"))
        #expect(SlackInteractionService.explain(.onBehalfOfGrantee, "x").contains("receive this access yourself"))
        #expect(SlackInteractionService.explain(.notPending, "the request is Granted") == "the request is Granted")
    }
}
