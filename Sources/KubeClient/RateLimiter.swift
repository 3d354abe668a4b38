/// A token bucket: `qps` tokens per second, at most `burst` saved up. Each caller reserves a
/// token (the balance may go negative) and waits until its token has accrued, so waiters are
/// served in arrival order without polling.
public actor RateLimiter<C: Clock> where C.Duration == Duration {
    private let qps: Double
    private let burst: Double
    private let clock: C
    private var tokens: Double
    private var last: C.Instant

    public init(qps: Double, burst: Int, clock: C) {
        precondition(qps > 0 && burst > 0, "rate limit needs qps > 0 and burst > 0")
        self.qps = qps
        self.burst = Double(burst)
        self.clock = clock
        self.tokens = Double(burst)
        self.last = clock.now
    }

    /// Waits until the caller may send one request.
    public func acquire() async throws {
        let wait = reserve()
        if wait > .zero { try await clock.sleep(for: wait) }
    }

    /// Takes one token and returns how long to wait for it.
    func reserve() -> Duration {
        let now = clock.now
        let elapsed = last.duration(to: now)
        last = now
        tokens = min(burst, tokens + elapsed.seconds * qps)
        tokens -= 1
        guard tokens < 0 else { return .zero }
        return .milliseconds(Int64((-tokens / qps * 1000).rounded(.up)))
    }
}

extension Duration {
    /// This duration in (fractional) seconds.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
