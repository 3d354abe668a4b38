import AirlockAPI
import AirlockChat
import AirlockController
import Foundation
import KubeCore
import KubeTesting
import Synchronization
import Testing

/// Issue 12's figures, with the fake Bot Connector on loopback and the real API server: a
/// click's way from the invoke received to the ActionReview persisted to the answer sent
/// (timed inside the controller), and as the caller sees it. Prints figures; asserts only that
/// every click was recorded. Run alone for stable figures:
/// `swift test --skip-build --filter TeamsMeasurementTests`.
@Suite(.serialized) struct TeamsMeasurementTests {
    static let clicks = 50

    @Test(.tags(.measurement)) func measureInvokeToPersistedToAnswer() async throws {
        let timings = Mutex<[TeamsInteractionService.Timing]>([])
        try await TeamsFixture.with("teams-measure", timings: { timing in timings.withLock { $0.append(timing) } }) {
            chat in
            try await chat.policy()
            var roundTrips: [Duration] = []
            for index in 0..<Self.clicks {
                let name = "click-\(index)"
                try await chat.airlock.request(name, by: "alice")
                _ = try await chat.card(name)
                let sent = ContinuousClock.now
                let (status, _) = try await chat.click(.approve, on: name, by: "bob")
                roundTrips.append(sent.duration(to: .now))
                #expect(status == 200)
            }
            let recorded = timings.withLock { $0 }.filter { $0.persisted != nil }
            #expect(recorded.count == Self.clicks, "every click persisted a review")
            let toPersisted = recorded.map { $0.received.duration(to: $0.persisted!) }
            let persistedToAnswer = recorded.map { $0.persisted!.duration(to: $0.answered) }
            let total = recorded.map { $0.received.duration(to: $0.answered) }
            print(
                "[measurement] Teams invoke received -> ActionReview persisted: "
                    + "\(SlackMeasurementTests.summary(toPersisted)); persisted -> answer sent: "
                    + "\(SlackMeasurementTests.summary(persistedToAnswer)); received -> answer sent: "
                    + "\(SlackMeasurementTests.summary(total)); as the caller sees it (JWT, HTTP, loopback): "
                    + "\(SlackMeasurementTests.summary(roundTrips))")
        }
    }
}
