import AirlockAPI
import AirlockChat
import Foundation
import KubeCore
import Synchronization

/// Requests and helpers shared by the tests.
enum Fixtures {
    static let uid = "7f3c1e2a-1111-4222-8333-444455556666"
    static let created = Date(timeIntervalSince1970: 1_750_000_000)
    static let reference = ChatRequestReference(namespace: "agents", name: "fix-db", uid: uid)

    /// `delete` on `pods/db-0` in `prod`, asked by an agent for 1h.
    static func request(
        duration: String = "1h",
        permissions: [PermissionRule]? = [
            PermissionRule(
                namespace: "prod", apiGroups: [""], resources: ["pods"], verbs: ["delete"], resourceNames: ["db-0"])
        ], roleRef: TargetRoleRef? = nil, reason: String = "db-0 is wedged; restart it", ticket: String? = "INC-42",
        status: ActionRequestStatus? = nil
    ) -> ActionRequest {
        var metadata = ObjectMeta(name: "fix-db", namespace: "agents")
        metadata.uid = uid
        metadata.creationTimestamp = created
        return ActionRequest(
            metadata: metadata,
            spec: ActionRequestSpec(
                reason: reason, ticket: ticket, duration: try! KubeDuration(parsing: duration),
                permissions: permissions,
                roleRef: roleRef,
                requester: Identity(
                    username: "system:serviceaccount:agents:fixer", groups: ["system:serviceaccounts"])),
            status: status)
    }

    /// The status of a request waiting for two approvals, one given.
    static func pendingStatus() -> ActionRequestStatus {
        ActionRequestStatus(
            phase: .pending,
            decision: PolicyDecision(
                policies: ["prod-writes"], outcome: .requireApproval, requiredApprovals: 2,
                reviewers: [ReviewerSet(users: ["alice"], groups: ["sre"])]),
            reviews: [
                ReviewRecord(
                    reviewer: "alice", decision: .approve, at: created.addingTimeInterval(60), channel: "slack",
                    counted: true)
            ],
            pendingDeadline: created.addingTimeInterval(3600), requesterOwner: "bob")
    }

    static func summary(_ request: ActionRequest = request(status: pendingStatus())) -> ApprovalSummary {
        try! ApprovalSummary(request: request)
    }

    /// Every string in a JSON value.
    static func strings(in value: JSONValue) -> [String] {
        switch value {
        case .string(let text): [text]
        case .array(let items): items.flatMap(strings(in:))
        case .object(let members): members.values.flatMap(strings(in:))
        default: []
        }
    }

    /// The items of a JSON array (empty for anything else).
    static func array(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items }
        return []
    }

    /// Every element (in `actions` blocks) of a message's blocks.
    static func elements(_ blocks: [JSONValue]) -> [JSONValue] {
        blocks.flatMap { block -> [JSONValue] in
            if case .array(let items)? = block["elements"], block["type"]?.stringValue == "actions" { return items }
            return []
        }
    }

    /// The texts of a message's blocks, joined.
    static func text(_ blocks: [JSONValue]) -> String {
        strings(in: .array(blocks)).joined(separator: "\n")
    }
}

/// A clock that moves only when told to.
final class TestClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let current = Mutex(Instant(offset: .zero))
    var now: Instant { current.withLock { $0 } }
    var minimumResolution: Duration { .nanoseconds(1) }
    func advance(_ duration: Duration) { current.withLock { $0 = $0.advanced(by: duration) } }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {}
}
