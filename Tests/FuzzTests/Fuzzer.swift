import Foundation
import KubeCore
import Synchronization
import Testing

/// A seeded fuzzing run: `inputs` inputs, input `i` made from `(seed, i)` alone, so any one
/// replays with `AIRLOCK_FUZZ_SEED=<seed> AIRLOCK_FUZZ_ONLY=<i>`.
///
/// - `AIRLOCK_FUZZ_INPUTS`: inputs per target (default 100,000);
/// - `AIRLOCK_FUZZ_SEED`: the seed (default fixed, so CI runs repeat; printed on failure);
/// - `AIRLOCK_FUZZ_SAVE`: a directory where each violating input is written (to keep it in
///   `Corpus/<target>-regressions` once fixed);
/// - a watchdog fails the run when one input takes longer than ``hangLimit`` (a hang), naming
///   it; a crash prints the input being run (``FuzzCrashReporter``).
struct Fuzzer: Sendable {
    static let defaultSeed: UInt64 = 0x14_A1B1_0C4
    static let hangLimit: Duration = .seconds(10)

    let target: String
    let inputs: Int
    let seed: UInt64
    let only: Int?
    let saveDirectory: String?

    init(_ target: String) {
        let environment = ProcessInfo.processInfo.environment
        self.target = target
        self.inputs = environment["AIRLOCK_FUZZ_INPUTS"].flatMap(Int.init) ?? 100_000
        self.seed = environment["AIRLOCK_FUZZ_SEED"].flatMap(UInt64.init) ?? Self.defaultSeed
        self.only = environment["AIRLOCK_FUZZ_ONLY"].flatMap(Int.init)
        self.saveDirectory = environment["AIRLOCK_FUZZ_SAVE"]
    }

    /// What one input did: a label to count (e.g. `401`, `allowed`), or a violation.
    enum Verdict: Sendable {
        case passed(String)
        case violated(String)
    }

    /// Runs `body` for every input; records the first violations as issues and prints the
    /// figures. `body` gets the input's index and its own generator, and returns the input it
    /// made with the verdict.
    func run(_ body: (Int, inout FuzzRandom) async throws -> (input: Data, verdict: Verdict)) async throws {
        let started = ContinuousClock.now
        let progress = Mutex((index: -1, at: ContinuousClock.now, done: false))
        let watchdog = Task.detached { [target, seed] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                let (index, at, done) = progress.withLock { ($0.index, $0.at, $0.done) }
                if !done, index >= 0, ContinuousClock.now - at > Self.hangLimit {
                    fatalError(
                        "[fuzz] \(target): input \(index) runs longer than \(Self.hangLimit) (a hang); replay with "
                            + "AIRLOCK_FUZZ_SEED=\(seed) AIRLOCK_FUZZ_ONLY=\(index)")
                }
            }
        }
        defer { watchdog.cancel() }
        var labels: [String: Int] = [:]
        var violations = 0
        let range = only.map { $0...$0 } ?? 0...(inputs - 1)
        for index in range {
            // The handlers rarely suspend: without this the loop holds a thread of the
            // cooperative pool for minutes, and the cluster tests running beside it starve.
            if index % 16 == 0 { await Task.yield() }
            progress.withLock { $0 = (index, .now, false) }
            FuzzCrashReporter.running(target: target, input: index, seed: seed)
            var random = FuzzRandom(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
            let (input, verdict) = try await body(index, &random)
            switch verdict {
            case .passed(let label):
                labels[label, default: 0] += 1
            case .violated(let problem):
                violations += 1
                if let saveDirectory {
                    try input.write(to: URL(fileURLWithPath: "\(saveDirectory)/\(target)-\(seed)-\(index)"))
                }
                if violations <= 10 {
                    Issue.record(
                        "\(target) input \(index): \(problem) (replay: AIRLOCK_FUZZ_SEED=\(seed) AIRLOCK_FUZZ_ONLY=\(index))"
                    )
                }
            }
        }
        progress.withLock { $0.done = true }
        FuzzCrashReporter.finished()
        let summary = labels.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print(
            "[fuzz] \(target): \(range.count) inputs in \(ContinuousClock.now - started), seed \(seed): \(summary); "
                + "violations \(violations)")
    }
}

/// SplitMix64 with the choices a mutator needs.
struct FuzzRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `0..<bound`.
    mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(next() % UInt64(bound)) }
    /// True `percent` % of the time.
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Prints which input was running when the process dies from a signal (a crash), so the
/// crasher can be replayed and kept as a regression input. The message is prepared before
/// each input; the signal handler only writes it (async-signal-safe). Fuzz suites run
/// serialized, so one input runs at a time.
enum FuzzCrashReporter {
    nonisolated(unsafe) private static var buffer = [UInt8](repeating: 0, count: 256)
    nonisolated(unsafe) private static var length = 0
    private static let installed = Mutex(false)

    /// Notes the input about to run (the message is prepared here, not in the handler).
    static func running(target: String, input: Int, seed: UInt64) {
        install()
        let message = Array(
            "\n[fuzz] crashed on \(target) input \(input): replay with AIRLOCK_FUZZ_SEED=\(seed) AIRLOCK_FUZZ_ONLY=\(input)\n"
                .utf8.prefix(buffer.count))
        buffer.withUnsafeMutableBufferPointer { pointer in
            for (offset, byte) in message.enumerated() { pointer[offset] = byte }
        }
        length = message.count
    }

    static func finished() { length = 0 }

    private static func install() {
        let first = installed.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        for signal in [SIGSEGV, SIGILL, SIGTRAP, SIGBUS, SIGABRT, SIGFPE] {
            _ = Foundation.signal(signal) { number in
                FuzzCrashReporter.buffer.withUnsafeBufferPointer { pointer in
                    _ = write(2, pointer.baseAddress, FuzzCrashReporter.length)
                }
                Foundation.signal(number, SIG_DFL)
                raise(number)
            }
        }
    }
}

/// The fuzz suites run one after the other: one input at a time for ``FuzzCrashReporter``.
@Suite(.serialized) struct FuzzSuite {}

extension JSONValue {
    /// This value decoded as `type` (through its JSON).
    func decoded<T: Decodable>(as type: T.Type) throws -> T {
        try KubeJSON.decode(T.self, from: KubeJSON.encode(self))
    }

    /// The items of an array (nil for anything else).
    var items: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
