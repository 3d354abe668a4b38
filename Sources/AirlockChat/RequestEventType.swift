import Crypto
import Foundation
import KubeCore

/// The transitions of an ActionRequest sent to event webhooks, as CloudEvents types
/// `dev.airlock.request.<transition>`.
public enum RequestEventType: String, Sendable, Hashable, CaseIterable {
    /// Evaluated and waiting for reviews.
    case pending = "dev.airlock.request.pending"
    /// A review was recorded (counted or not).
    case reviewed = "dev.airlock.request.reviewed"
    /// Access granted.
    case granted = "dev.airlock.request.granted"
    /// Denied by policy, guardrail or reviewer.
    case denied = "dev.airlock.request.denied"
    /// The grant ran out, or nobody reviewed in time.
    case expired = "dev.airlock.request.expired"
    /// Ended early.
    case revoked = "dev.airlock.request.revoked"
    /// Granting failed.
    case failed = "dev.airlock.request.failed"

    /// The event for this transition of `summary`.
    ///
    /// - Parameters:
    ///   - idempotencyKey: stable per transition (e.g. `<request uid>/granted`): the event id is
    ///     derived from it, so a re-delivery after a crash carries the same id and receivers
    ///     drop the duplicate.
    ///   - source: the producer's URI-reference (one per cluster/installation).
    ///   - time: when the transition happened (from the status, not the clock at delivery).
    public func event(
        summary: ApprovalSummary, idempotencyKey: String, source: String, time: Date
    ) -> CloudEvent {
        CloudEvent(
            id: Self.eventID(idempotencyKey: idempotencyKey), source: source, type: rawValue,
            subject: summary.request.qualifiedName, time: time, data: Self.data(summary))
    }

    /// `evt_<32 hex>`: SHA-256 of the idempotency key, shortened.
    public static func eventID(idempotencyKey: String) -> String {
        "evt_" + Hex.encode(SHA256.hash(data: Array(idempotencyKey.utf8)).prefix(16))
    }

    /// The summary as JSON (field names of ``ApprovalSummary``; dates RFC 3339).
    static func data(_ summary: ApprovalSummary) -> JSONValue {
        // Encoding a summary of strings, numbers and dates cannot fail; the round trip through
        // JSONValue keeps the event body a single sorted-keys encoding.
        let encoded = try! KubeJSON.encode(summary)
        return try! KubeJSON.decode(JSONValue.self, from: encoded)
    }
}
