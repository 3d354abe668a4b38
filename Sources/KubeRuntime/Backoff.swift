/// Exponential delays: `initial`, then `initial * multiplier`, ... capped at `maximum`.
///
/// Pure and deterministic; `Backoff` adds jitter on top of it for reconnect loops.
public struct ExponentialBackoff: Sendable, Hashable {
    /// The delay of the first attempt (attempt 0). Must be positive.
    public var initial: Duration
    /// The cap: no delay is longer.
    public var maximum: Duration
    /// The growth factor between attempts; at least 1.
    public var multiplier: Int

    public init(initial: Duration, maximum: Duration, multiplier: Int = 2) {
        precondition(initial > .zero, "backoff needs a positive initial delay")
        precondition(maximum >= initial, "backoff maximum must not be below the initial delay")
        precondition(multiplier >= 1, "backoff multiplier must be at least 1")
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
    }

    /// The watcher's reconnect delays: 200 ms doubling to 30 s.
    public static let watchReconnect = ExponentialBackoff(initial: .milliseconds(200), maximum: .seconds(30))

    /// A work queue's per-key retry delays (as client-go's): 5 ms doubling to 1,000 s.
    public static let workQueueItem = ExponentialBackoff(initial: .milliseconds(5), maximum: .seconds(1000))

    /// The delay of attempt `attempt` (0-based): `initial * multiplier^attempt`, at most
    /// `maximum`. Exact (integer arithmetic), and never overflows however large `attempt` is.
    public func delay(attempt: Int) -> Duration {
        guard multiplier > 1 else { return initial }
        var delay = initial
        var remaining = max(0, attempt)
        // `delay < maximum` bounds the loop to log_multiplier(maximum / initial) rounds.
        while remaining > 0, delay < maximum {
            delay = delay * multiplier
            remaining -= 1
        }
        return min(delay, maximum)
    }
}

/// A jittered exponential backoff with state: each `next()` returns the following delay,
/// `reset()` starts over after a success.
///
/// The default is the watcher's: 200 ms doubling to 30 s, with up to half of each delay as
/// jitter. The delay of attempt *n* is `policy.delay(attempt: n)` reduced by a random part of up to
/// `jitter` of it: with `jitter` 0.5 a nominal 800 ms becomes something in (400 ms, 800 ms].
/// Jitter spreads reconnects of many clients after an API server restart; it never makes a
/// delay longer than the nominal one, so `maximum` stays a true cap. The random source is
/// injected so tests are deterministic.
public struct Backoff: Sendable {
    /// The nominal delays.
    public var policy: ExponentialBackoff
    /// The fraction (0...1) of the nominal delay that may be taken off at random.
    public var jitter: Double
    /// Returns a number in `0..<1`; the system generator by default.
    public var random: @Sendable () -> Double
    /// How many delays were handed out since the last reset.
    public private(set) var attempt = 0

    public init(
        policy: ExponentialBackoff = .watchReconnect, jitter: Double = 0.5,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        precondition((0...1).contains(jitter), "jitter must be within 0...1")
        self.policy = policy
        self.jitter = jitter
        self.random = random
    }

    /// The delay to wait before the next attempt; advances the attempt count.
    public mutating func next() -> Duration {
        let nominal = policy.delay(attempt: attempt)
        attempt += 1
        let fraction = min(max(random(), 0), 1) * jitter
        guard fraction > 0 else { return nominal }
        return nominal - nominal * fraction
    }

    /// Starts over from the initial delay (call after a success).
    public mutating func reset() {
        attempt = 0
    }
}
