import Foundation
import KubeClient
import KubeCore
import Logging
import Metrics
import Synchronization

/// Records `events.k8s.io/v1` Events without ever blocking the caller.
///
/// `record` puts the event into a bounded buffer (the newest `buffer` are kept; older ones are
/// dropped and counted in `airlock_events_dropped_total`); `run()` sends them, paced by
/// `pace` when given: Events are telemetry and cost the API server as much as a grant's own
/// writes, so under a burst they wait rather than slow the grants down (like kubelet's
/// `--event-qps`). An event repeating within ten minutes (same object, type, reason, action
/// and note) updates the existing Event's `series` instead of creating another one.
///
/// An event with an idempotency `key` gets a name derived from it: recording it again — after
/// a retry, a crash or by another leader — finds the Event already there and adds nothing.
/// One recorded as a *catch-up* (after a start: an Event a crash may have kept from being
/// sent) is first looked up among the Events this recorder's `labels` select in its namespace,
/// listed once a minute at most (metadata only): after a clean hand-over every one is there,
/// and creating each again would cost a call answered 409.
public final class EventRecorder: Sendable {
    public enum EventType: String, Sendable { case normal = "Normal", warning = "Warning" }

    struct Pending: Sendable {
        var regarding: ObjectReference
        var type: EventType
        var reason: String
        var action: String
        var note: String
        var time: Date
        var key: String?
        var catchUp = false
    }

    /// Names of the labelled Events of a namespace, and when they were listed.
    private struct Listed {
        var names: Set<String>
        var at: ContinuousClock.Instant
    }

    /// How long a namespace's listing answers catch-ups.
    static let listingLifetime: Duration = .seconds(60)

    private let client: KubernetesClient
    private let controller: String
    private let instance: String
    private let labels: [String: String]
    private let logger: Logger
    private let stream: AsyncStream<Pending>
    private let continuation: AsyncStream<Pending>.Continuation
    private let pace: (@Sendable () async throws -> Void)?
    private let dropped = Atomic<Int>(0)
    private let droppedCounter = Counter(label: "airlock_events_dropped_total")

    /// - Parameters:
    ///   - labels: put on every Event; they select this recorder's Events for catch-ups (empty:
    ///     a catch-up is created without looking).
    ///   - pace: awaited before each call to the API server (a rate limiter's `acquire`); nil
    ///     sends as fast as the server answers.
    public init(
        client: KubernetesClient, controller: String, instance: String, labels: [String: String] = [:],
        buffer: Int = 5000, pace: (@Sendable () async throws -> Void)? = nil, logger: Logger
    ) {
        self.client = client
        self.controller = controller
        self.instance = instance
        self.labels = labels
        self.pace = pace
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(of: Pending.self, bufferingPolicy: .bufferingNewest(buffer))
    }

    /// Queues an event about `object`; returns at once. The note is cut to 1 kB. With a `key`,
    /// the event is recorded at most once (see the type's notes); `catchUp` says it may have
    /// been recorded by an earlier process.
    public func record<R: KubeResource>(
        _ object: R, type: EventType, reason: String, action: String, note: String, time: Date = Date(),
        key: String? = nil, catchUp: Bool = false
    ) {
        let pending = Pending(
            regarding: object.objectReference, type: type, reason: reason, action: action,
            note: String(note.utf8.prefix(1024)) ?? String(note.prefix(256)), time: time, key: key,
            catchUp: catchUp && key != nil)
        if case .dropped = continuation.yield(pending) {
            droppedCounter.increment()
            let total = dropped.add(1, ordering: .relaxed).newValue
            // Once, then every 1,000th: a flood must not flood the log too.
            if total % 1000 == 1 {
                logger.warning("event buffer full: dropped the oldest event (\(total) so far)")
            }
        }
    }

    /// Stops intake; `run()` returns once the buffer is sent.
    public func finish() { continuation.finish() }

    /// Sends queued events until `finish()` or cancellation.
    public func run() async {
        var series: [String: (name: String, namespace: String, count: Int, first: Date)] = [:]
        var listed: [String: Listed] = [:]
        for await event in stream {
            // Events with an eventTime about cluster-scoped objects must live in kube-system.
            let namespace = event.regarding.namespace ?? "kube-system"
            if event.catchUp, let key = event.key,
                await alreadyRecorded(Self.name(of: event, key: key), in: namespace, listed: &listed)
            {
                continue
            }
            do {
                try await pace?()
            } catch {
                return  // cancelled
            }
            let key = [
                event.regarding.uid ?? "", event.type.rawValue, event.reason, event.action, event.note,
            ].joined(separator: "\u{1}")
            if let idempotencyKey = event.key {
                await createOnce(event, key: idempotencyKey, namespace: namespace)
                continue
            }
            do {
                if var existing = series[key], event.time.timeIntervalSince(existing.first) < 600 {
                    existing.count += 1
                    series[key] = existing
                    _ = try await client.patch(
                        Event.self, name: existing.name, namespace: existing.namespace,
                        patch: .merge([
                            "series": [
                                "count": .number(Double(existing.count)),
                                "lastObservedTime": .string(RFC3339.format(event.time)),
                            ]
                        ]))
                    continue
                }
                let name =
                    "\(event.regarding.name ?? "object").\(String(UInt64(event.time.timeIntervalSince1970 * 1e9), radix: 16))"
                _ = try await client.createMetadata(
                    Event(
                        metadata: ObjectMeta(name: name, namespace: namespace, labels: labels.isEmpty ? nil : labels),
                        eventTime: event.time,
                        reportingController: controller, reportingInstance: instance, action: event.action,
                        reason: event.reason, regarding: event.regarding, note: event.note, type: event.type.rawValue))
                series[key] = (name, namespace, 1, event.time)
                if series.count > 10_000 { series.removeAll() }
            } catch {
                logger.warning("could not record event \(event.reason) on \(event.regarding.name ?? "?"): \(error)")
            }
        }
    }

    /// Creates the Event named after `key`; one that exists already is left as it is.
    private func createOnce(_ event: Pending, key: String, namespace: String) async {
        do {
            _ = try await client.createMetadata(
                Event(
                    metadata: ObjectMeta(
                        name: Self.name(of: event, key: key), namespace: namespace,
                        labels: labels.isEmpty ? nil : labels),
                    eventTime: event.time, reportingController: controller, reportingInstance: instance,
                    action: event.action, reason: event.reason, regarding: event.regarding, note: event.note,
                    type: event.type.rawValue))
        } catch let error as KubernetesError where error.isAlreadyExists {
            // Recorded before.
        } catch {
            logger.warning("could not record event \(event.reason) on \(event.regarding.name ?? "?"): \(error)")
        }
    }

    /// Whether an Event named `name` is among the labelled Events of `namespace`, listed at most
    /// ``listingLifetime`` ago (listed now otherwise). Without labels, or when the list fails,
    /// false: the create finds out.
    private func alreadyRecorded(_ name: String, in namespace: String, listed: inout [String: Listed]) async -> Bool {
        guard !labels.isEmpty else { return false }
        if let known = listed[namespace], known.at.duration(to: .now) < Self.listingLifetime {
            return known.names.contains(name)
        }
        let selector = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        var options = ListOptions(labelSelector: selector, limit: 500)
        var names: Set<String> = []
        do {
            while true {
                let page = try await client.listMetadata(Event.self, namespace: namespace, options: options)
                names.formUnion(page.items.compactMap(\.name))
                guard let next = page.metadata.continue, !next.isEmpty else { break }
                options.continue = next
            }
        } catch {
            logger.warning("could not list the recorded events of \(namespace) (creating each to find out): \(error)")
            listed[namespace] = Listed(names: [], at: .now)
            return false
        }
        if listed.count >= 1000 { listed.removeAll() }
        listed[namespace] = Listed(names: names, at: .now)
        return names.contains(name)
    }

    /// The name of the Event recorded under `key`.
    private static func name(of event: Pending, key: String) -> String {
        "\(event.regarding.name ?? "object").\(digest(key))"
    }

    /// 16 hex digits of FNV-1a over `key`: a stable name part.
    static func digest(_ key: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
