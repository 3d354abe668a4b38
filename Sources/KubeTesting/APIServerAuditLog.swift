import Foundation
import KubeCore

/// The API server's audit log (`--audit-log-format=json`: one event per line) read for timing:
/// when each call reached the API server and when its answer was complete. The benchmark uses it
/// to say where a lifecycle's time goes — in the API server's handling of each write, or
/// between one write's answer and the next write (a watch, the controller's own work).
public enum APIServerAuditLog {
    /// One call, from its `ResponseComplete` event.
    public struct Call: Sendable, Equatable {
        public var verb: String
        /// The resource, with `/subresource` when there is one (`actionrequests/status`).
        public var resource: String
        public var namespace: String?
        public var name: String?
        /// When the API server received the call (after authentication).
        public var received: Date
        /// When its answer was complete.
        public var completed: Date

        public init(
            verb: String, resource: String, namespace: String? = nil, name: String? = nil, received: Date,
            completed: Date
        ) {
            self.verb = verb
            self.resource = resource
            self.namespace = namespace
            self.name = name
            self.received = received
            self.completed = completed
        }
    }

    /// kube-apiserver's flags that write the log, batched (the API server's calls do not wait
    /// for the file).
    public static func flags(policyFile: String, logFile: String) -> [String] {
        [
            "--audit-policy-file=\(policyFile)", "--audit-log-path=\(logFile)", "--audit-log-format=json",
            "--audit-log-mode=batch",
        ]
    }

    /// A policy that logs the metadata of the writes (create, update, patch, delete) to the
    /// given resources, by API group (`""`: the core group; a subresource as
    /// `resource/subresource`), at `ResponseComplete` only, and nothing else.
    public static func policy(writesTo resources: [String: [String]]) -> String {
        let groups = resources.keys.sorted().map { group in
            "  - group: \"\(group)\"\n    resources: [\(resources[group, default: []].map { "\"\($0)\"" }.joined(separator: ", "))]"
        }
        return """
            apiVersion: audit.k8s.io/v1
            kind: Policy
            omitStages: ["RequestReceived", "ResponseStarted", "Panic"]
            rules:
            - level: Metadata
              verbs: ["create", "update", "patch", "delete"]
              resources:
            \(groups.joined(separator: "\n"))
            - level: None

            """
    }

    private struct Event: Decodable {
        struct Reference: Decodable {
            var resource: String?
            var subresource: String?
            var namespace: String?
            var name: String?
        }
        var stage: String
        var verb: String
        var objectRef: Reference?
        var requestReceivedTimestamp: String
        var stageTimestamp: String
    }

    /// The calls about an object, from the `ResponseComplete` events of `text` (other stages,
    /// blank lines and calls about no resource are skipped). A line that is not an audit event
    /// throws, naming its line number.
    public static func calls(in text: String) throws -> [Call] {
        let decoder = JSONDecoder()
        var calls: [Call] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            let event: Event
            do {
                event = try decoder.decode(Event.self, from: Data(line.utf8))
            } catch {
                throw KubeTestingError(.other, "audit log line \(index + 1) is not an audit event: \(error)")
            }
            guard event.stage == "ResponseComplete", let reference = event.objectRef,
                let resource = reference.resource
            else { continue }
            guard let received = RFC3339.parse(event.requestReceivedTimestamp),
                let completed = RFC3339.parse(event.stageTimestamp)
            else {
                throw KubeTestingError(.other, "audit log line \(index + 1) has a malformed timestamp")
            }
            calls.append(
                Call(
                    verb: event.verb, resource: reference.subresource.map { "\(resource)/\($0)" } ?? resource,
                    namespace: reference.namespace, name: reference.name, received: received, completed: completed))
        }
        return calls
    }

    /// The calls in the log file at `path` (none while it does not exist). Only whole lines
    /// count: the API server may be writing the last one.
    public static func calls(inFile path: String) throws -> [Call] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try calls(in: String(text[..<(text.lastIndex(of: "\n") ?? text.startIndex)]))
    }

    /// Where the time of a sequence of calls goes, per lifecycle: `steps` names the calls in the
    /// order they are made, and `classify` says of a call which lifecycle and step it is (nil:
    /// not one). For each lifecycle with every step, the first call of each step counts; the
    /// result has, per phase, one value (seconds) per lifecycle: `step` is the API server's
    /// time for that call, `→ step` the time from the answer of the step before to this call's
    /// arrival. Phases in order: `steps[0]`, `→ steps[1]`, `steps[1]`, ...
    public static func phases(
        of calls: [Call], steps: [String], classify: (Call) -> (lifecycle: String, step: String)?
    ) -> [(phase: String, seconds: [Double])] {
        var first: [String: [String: Call]] = [:]
        for call in calls {
            guard let (lifecycle, step) = classify(call), steps.contains(step) else { continue }
            if first[lifecycle]?[step] == nil { first[lifecycle, default: [:]][step] = call }
        }
        var phases: [(phase: String, seconds: [Double])] = steps.enumerated().flatMap { index, step in
            index == 0 ? [(step, [Double]())] : [("→ \(step)", []), (step, [])]
        }
        for lifecycle in first.keys.sorted() {
            let made = steps.compactMap { first[lifecycle]?[$0] }
            guard made.count == steps.count else { continue }
            for (index, call) in made.enumerated() {
                if index > 0 {
                    phases[2 * index - 1].seconds.append(call.received.timeIntervalSince(made[index - 1].completed))
                }
                phases[2 * index].seconds.append(call.completed.timeIntervalSince(call.received))
            }
        }
        return phases
    }
}
