import Foundation
import KubeClient
import KubeCore
import Synchronization

/// Faults for the controller's API calls: each rule fails the first `times` calls that match
/// a method and a path suffix with an error the API server could have answered.
final class FaultPlan: Sendable {
    struct Rule {
        var method: KubeRequest.Method
        var pathContains: String
        var remaining: Int
        var error: KubernetesError
        var hits = 0
        /// Matching calls let through before the rule fails any.
        var skip = 0
        /// Only calls whose body contains this text match.
        var bodyContains: String?
    }

    private let rules = Mutex<[Rule]>([])
    /// When calls were made, by method and path (with the body): every call, failed or not.
    private let calls = Mutex<[(method: KubeRequest.Method, path: String, body: Data?, at: ContinuousClock.Instant)]>(
        [])

    /// Fails the next `times` matching calls with `code` (409 Conflict, 500, ...).
    func fail(
        _ method: KubeRequest.Method, pathContains: String, times: Int = 1, code: Int, reason: String,
        message: String = "injected fault", after skip: Int = 0, bodyContains: String? = nil
    ) {
        let error = KubernetesError(kind: .api, code: code, reason: reason, message: message)
        rules.withLock {
            $0.append(
                Rule(
                    method: method, pathContains: pathContains, remaining: times, error: error, skip: skip,
                    bodyContains: bodyContains))
        }
    }

    /// How many calls the rules have failed.
    var injected: Int { rules.withLock { $0.reduce(0) { $0 + $1.hits } } }

    func clear() { rules.withLock { $0.removeAll() } }

    /// When the first call matching `method` and `pathContains` was made at or after `since`.
    func firstCall(
        _ method: KubeRequest.Method, pathContains: String, since: ContinuousClock.Instant
    ) -> ContinuousClock.Instant? {
        calls.withLock { calls in
            calls.first { $0.at >= since && $0.method == method && $0.path.contains(pathContains) }?.at
        }
    }

    /// The calls made at or after `since` whose path contains any of `paths`, in order, as
    /// "METHOD path".
    func calls(since: ContinuousClock.Instant, pathContainsAny paths: [String]) -> [String] {
        calls.withLock { calls in
            calls.filter { call in call.at >= since && paths.contains { call.path.contains($0) } }
                .map { "\($0.method.rawValue) \($0.path)" }
        }
    }

    /// The bodies of the calls matching `method` and `pathContains`, failed or not.
    func bodies(_ method: KubeRequest.Method, pathContains: String) -> [Data] {
        calls.withLock { calls in
            calls.filter { $0.method == method && $0.path.contains(pathContains) }.map { $0.body ?? Data() }
        }
    }

    func intercept(_ request: KubeRequest) throws {
        let now = ContinuousClock.now
        calls.withLock { $0.append((request.method, request.path, request.body, now)) }
        let error: KubernetesError? = rules.withLock { rules in
            guard
                let index = rules.firstIndex(where: {
                    $0.remaining > 0 && $0.method == request.method && request.path.contains($0.pathContains)
                        && ($0.bodyContains.map { String(decoding: request.body ?? Data(), as: UTF8.self).contains($0) }
                            ?? true)
                })
            else { return nil }
            if rules[index].skip > 0 {
                rules[index].skip -= 1
                return nil
            }
            rules[index].remaining -= 1
            rules[index].hits += 1
            return rules[index].error
        }
        if let error { throw error }
    }
}
