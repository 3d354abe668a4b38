import KubeRuntime
import Testing

@Suite struct BackoffTests {
    @Test func exponentialDelaysDoubleUpToTheCap() {
        let policy = ExponentialBackoff.workQueueItem
        #expect(policy.delay(attempt: 0) == .milliseconds(5))
        #expect(policy.delay(attempt: 1) == .milliseconds(10))
        #expect(policy.delay(attempt: 2) == .milliseconds(20))
        #expect(policy.delay(attempt: 10) == .milliseconds(5 * 1024))
        #expect(policy.delay(attempt: 17) == .milliseconds(655_360))
        #expect(policy.delay(attempt: 18) == .seconds(1000))
        #expect(policy.delay(attempt: Int.max) == .seconds(1000))
        #expect(policy.delay(attempt: -3) == .milliseconds(5))
    }

    @Test func multiplierOfOneIsConstant() {
        let policy = ExponentialBackoff(initial: .seconds(1), maximum: .seconds(10), multiplier: 1)
        #expect(policy.delay(attempt: 50) == .seconds(1))
    }

    @Test func otherMultipliersAndCaps() {
        let policy = ExponentialBackoff(initial: .milliseconds(100), maximum: .milliseconds(2000), multiplier: 3)
        #expect((0...4).map(policy.delay(attempt:)) == [100, 300, 900, 2000, 2000].map { .milliseconds($0) })
    }

    @Test func withoutJitterTheWatcherDefaultsDoubleFrom200msTo30s() {
        var backoff = Backoff(jitter: 0)
        let delays = (0..<10).map { _ in backoff.next() }
        #expect(delays == [200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000].map { .milliseconds($0) })
        #expect(backoff.attempt == 10)
        backoff.reset()
        #expect(backoff.attempt == 0)
        #expect(backoff.next() == .milliseconds(200))
    }

    @Test func jitterTakesOffAtMostItsFractionAndIsInjected() {
        let random = ScriptedRandom([0, 0.5, 0.999_999, 1.5, -1])
        var backoff = Backoff(jitter: 0.5, random: { random.next() })
        #expect(backoff.next() == .milliseconds(200))  // r = 0: nominal
        #expect(backoff.next() == .milliseconds(300))  // 400 - 400 * 0.25
        let third = backoff.next()  // 800 - ~800 * 0.5
        #expect(third > .milliseconds(400) && third <= .milliseconds(401))
        #expect(backoff.next() == .milliseconds(800))  // r clamped to 1: 1600 - 800
        #expect(backoff.next() == .milliseconds(3200))  // r clamped to 0
    }

    @Test func jitteredDelaysNeverExceedTheCap() {
        var backoff = Backoff(jitter: 1)
        for _ in 0..<40 {
            let delay = backoff.next()
            #expect(delay >= .zero && delay <= .seconds(30))
        }
    }
}
