import AirlockChat
import Logging
import Testing

@testable import AirlockController

/// Chat credentials re-read on a schedule: rebuilt only when they change, kept while their
/// source cannot be read (Slack and Teams share this).
@Suite struct CredentialRefreshTests {
    let logger = Logger(label: "test")
    let start = ContinuousClock.now

    @Test func buildsOnceKeepsWhatWorksAndRebuildsOnlyOnAChange() throws {
        var refresh = CredentialRefresh<String, Int>(channel: "Slack", refreshInterval: .seconds(300))
        var builds = 0
        func build(_ value: String) -> Int {
            builds += 1
            return value.count
        }
        // Nothing read yet: the read's error is the answer.
        #expect(refresh.fresh(at: start) == nil)
        #expect(throws: ChatError.self) {
            try refresh.update(
                with: .failure(ChatError(.unavailable, "no Secret")), at: start, logger: logger, build: build)
        }
        #expect(try refresh.update(with: .success("token"), at: start, logger: logger, build: build) == 5)
        #expect(refresh.fresh(at: start.advanced(by: .seconds(299))) == 5)
        #expect(refresh.fresh(at: start.advanced(by: .seconds(300))) == nil, "re-read after the interval")

        // Re-read, unchanged: not rebuilt.
        let later = start.advanced(by: .seconds(300))
        #expect(try refresh.update(with: .success("token"), at: later, logger: logger, build: build) == 5)
        #expect(builds == 1)

        // The source cannot be read: the current ones are kept, and it is tried again in 30 s.
        let broken = later.advanced(by: .seconds(300))
        let kept = try refresh.update(
            with: .failure(ChatError(.unavailable, "API server down")), at: broken, logger: logger, build: build)
        #expect(kept == 5)
        #expect(refresh.fresh(at: broken.advanced(by: .seconds(29))) == 5)
        #expect(refresh.fresh(at: broken.advanced(by: .seconds(30))) == nil)

        // Rotated: rebuilt with the new value.
        let rotated = broken.advanced(by: .seconds(30))
        #expect(try refresh.update(with: .success("rotated-token"), at: rotated, logger: logger, build: build) == 13)
        #expect(builds == 2)
    }
}
