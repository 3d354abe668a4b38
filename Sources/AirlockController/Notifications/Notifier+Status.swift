import AirlockAPI
import Foundation
import KubeClient
import KubeCore

extension Notifier {
    /// How many times a conflicting write of delivery outcomes is retried on a fresh copy.
    static let maxRecordAttempts = 5

    /// Writes the delivery outcomes into `status.notifications` — the only part of the status
    /// the notifier writes — with the request's resourceVersion. On a conflict (the lifecycle
    /// wrote meanwhile) it reads the request again and puts the same entries into the fresh
    /// status: the deliveries happened, and nothing else of the status is touched.
    ///
    /// - Returns: the request as written.
    func record(_ outcomes: [NotificationState], on request: ActionRequest) async throws -> ActionRequest {
        var current = request
        for attempt in 1...Self.maxRecordAttempts {
            var updated = current
            var states = updated.status?.notifications ?? []
            for outcome in outcomes { Self.put(outcome, into: &states) }
            updated.status?.notifications = Array(states.prefix(Self.maxTargets))
            if updated.status == current.status { return current }
            do {
                return try await client.updateStatus(updated)
            } catch let error as KubernetesError where error.isConflict && attempt < Self.maxRecordAttempts {
                let fresh = try await client.get(
                    ActionRequest.self, name: request.metadata.name ?? "", namespace: request.metadata.namespace)
                // A new request of the same name is not ours to write to.
                guard fresh.metadata.uid == request.metadata.uid, fresh.status != nil else { return fresh }
                current = fresh
            }
        }
        return current
    }

    /// Most entries in `status.notifications` (the schema's bound).
    static let maxTargets = 32
}
