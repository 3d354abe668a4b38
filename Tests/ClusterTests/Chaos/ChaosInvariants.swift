import AirlockAPI
import AirlockController
import Foundation
import KubeCore

/// What must hold after a chaos run, checked from what the run left behind: the requests and
/// reviews, the audit file, what Slack received and what the monitor saw. Each finding is a
/// violation, named after the request.
struct ChaosInvariants {
    var requests: [ActionRequest]
    var reviews: [ActionReview]
    var records: [AuditRecord]
    /// Successful card posts (not thread replies) per request uid.
    var cardPosts: [String: Int]
    /// Thread replies per request uid.
    var replies: [String: [String]]
    var monitor: ChaosMonitor.State
    /// Grant objects that exist now.
    var remainingGrants: [ChaosMonitor.Grant]
    var now: Date

    func violations() -> [String] {
        var found = monitor.lateGrants.values.sorted() + monitor.accessOutlived.values.sorted()
        found += remade()
        let recordsByUID = Dictionary(grouping: records) { $0.requestUID ?? "" }
        for request in requests {
            let name = request.metadata.name ?? "?"
            let uid = request.metadata.uid ?? ""
            found += outcome(of: request).map { "\(name): \($0)" }
            found += grants(of: request).map { "\(name): \($0)" }
            found += audit(of: request, records: recordsByUID[uid] ?? []).map { "\(name): \($0)" }
            found += reviewsCounted(of: request, records: recordsByUID[uid] ?? []).map { "\(name): \($0)" }
            found += chat(of: request).map { "\(name): \($0)" }
        }
        return found
    }

    /// Grant objects made more than once (a new uid under the same name), with when each was
    /// seen against the request's grant.
    func remade() -> [String] {
        let byUID = Dictionary(requests.map { ($0.metadata.uid ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        let owners = Dictionary(
            monitor.grantsOfRequest.flatMap { uid, keys in keys.map { ($0, uid) } },
            uniquingKeysWith: { first, _ in first })
        return monitor.uids.filter { $0.value.count > 1 }.map { key, uids in
            let request = owners[key].flatMap { byUID[$0] }
            let origin = request?.status?.grantedAt ?? .distantPast
            let seen = uids.values.sorted { $0.lowerBound < $1.lowerBound }.map {
                String(
                    format: "%.1f…%.1f s", $0.lowerBound.timeIntervalSince(origin),
                    $0.upperBound.timeIntervalSince(origin))
            }
            let expires =
                request?.status?.expiresAt.map { String(format: "%.1f s", $0.timeIntervalSince(origin)) } ?? "?"
            return "\(key) made \(uids.count) times, seen \(seen) after the grant (expiry at \(expires), "
                + "\(request?.metadata.name ?? "?") \(request?.status?.phase?.rawValue ?? "?"))"
        }.sorted()
    }

    /// Terminal as its intent says, or correctly Pending: waiting for a review, within its
    /// deadline, nothing granted.
    func outcome(of request: ActionRequest) -> [String] {
        let phase = request.status?.phase ?? .pending
        var found: [String] = []
        if let index = request.metadata.name.flatMap({ Int($0.split(separator: "-").last ?? "") }) {
            let intent = ChaosIntent.of(index)
            if phase != intent.expectedPhase {
                let why = request.status?.conditions?.filter { $0.status == "True" }.map {
                    "\($0.reason): \($0.message)"
                }
                found.append(
                    "\(phase.rawValue), expected \(intent.expectedPhase.rawValue) (\(intent.rawValue)): \(why ?? [])")
            }
        }
        guard phase == .pending else { return found }
        let status = request.status
        if status?.decision?.outcome != .requireApproval { found.append("Pending without a decision to wait for") }
        if (status?.pendingDeadline ?? .distantPast) <= now { found.append("Pending past its deadline") }
        if status?.grantedAt != nil || !(status?.grants ?? []).isEmpty { found.append("Pending with grants") }
        if status?.reviews?.contains(where: \.counted) == true { found.append("Pending with a counted review") }
        return found
    }

    /// No grant left for a finished request; none listed twice.
    func grants(of request: ActionRequest) -> [String] {
        let uid = request.metadata.uid ?? ""
        var found: [String] = []
        if request.status?.phase?.isTerminal ?? false {
            let left = remainingGrants.filter { $0.requestUID == uid }.map(\.key)
            if !left.isEmpty { found.append("grants left after \(request.status?.phase?.rawValue ?? ""): \(left)") }
        }
        let listed = (request.status?.grants ?? []).map { "\($0.kind)/\($0.namespace ?? "")/\($0.name)" }
        if Set(listed).count != listed.count { found.append("status lists a grant twice: \(listed)") }
        return found
    }

    static let reviewEvents: Set = ["reviewed", "review-rejected"]

    /// Each decision the status shows is in the audit file exactly once, and nothing else is.
    /// Reviews: each listed one is audited once as what it was; one audited but not listed was
    /// rejected (the status keeps a reviewer's latest rejected review only: a flood stays
    /// bounded) — a counted review is always listed.
    func audit(of request: ActionRequest, records: [AuditRecord]) -> [String] {
        guard let status = request.status else { return records.isEmpty ? [] : ["audited without a status"] }
        var expected: [String: Int] = [:]
        if status.decision != nil { expected["evaluated", default: 0] += 1 }
        if status.grantedAt != nil { expected["granted", default: 0] += 1 }
        if let phase = status.phase, phase.isTerminal { expected[phase.rawValue.lowercased(), default: 0] += 1 }
        let decisions = records.filter { !Self.reviewEvents.contains($0.event) }
        let actual = Dictionary(grouping: decisions, by: \.event).mapValues(\.count)
        var found: [String] = []
        if actual != expected {
            found.append(
                "audit records \(actual.sorted { $0.key < $1.key }), status shows \(expected.sorted { $0.key < $1.key })"
            )
        }
        let uid = request.metadata.uid ?? ""
        let audited = Dictionary(grouping: records.filter { Self.reviewEvents.contains($0.event) }) { $0.key ?? "" }
        let listed = Dictionary((status.reviews ?? []).compactMap { r in r.review.map { ($0, r) } }) { first, _ in first
        }
        for (name, review) in listed.sorted(by: { $0.key < $1.key }) {
            let events = audited["\(uid)/review/\(name)"]?.map(\.event) ?? []
            if events != [review.counted ? "reviewed" : "review-rejected"] {
                found.append("review \(name) (\(review.counted ? "counted" : "rejected")) audited as \(events)")
            }
        }
        for (key, events) in audited where events.contains(where: { $0.event == "reviewed" }) {
            let name = String(key.dropFirst("\(uid)/review/".count))
            if listed[name] == nil { found.append("counted review \(name) audited but not in the status") }
        }
        let keys = records.compactMap(\.key)
        if Set(keys).count != keys.count { found.append("an audit key recorded twice") }
        return found
    }

    /// Every review persisted while the request could take it is in its status exactly once, or
    /// was rejected and audited as such (the status keeps a reviewer's latest rejected review
    /// only); no reviewer's approval counts twice.
    func reviewsCounted(of request: ActionRequest, records: [AuditRecord]) -> [String] {
        let listed = (request.status?.reviews ?? []).compactMap(\.review)
        var found: [String] = []
        if Set(listed).count != listed.count { found.append("a review listed twice: \(listed)") }
        let approvals = (request.status?.reviews ?? []).filter { $0.counted && $0.decision == .approve }
        if Set(approvals.map(\.reviewer)).count != approvals.count { found.append("an approval counted twice") }
        let ended = request.status?.phase.flatMap { phase in
            phase.isTerminal
                ? request.status?.conditions?[type: phase == .failed ? "Granted" : phase.rawValue]?.lastTransitionTime
                : nil
        }
        let uid = request.metadata.uid ?? ""
        let rejected = Set(records.filter { $0.event == "review-rejected" }.compactMap(\.key))
        for review in reviews where review.spec.request == request.metadata.name {
            let created = review.metadata.creationTimestamp ?? .distantFuture
            let name = review.metadata.name ?? ""
            if created < (ended ?? .distantFuture).addingTimeInterval(-2), !listed.contains(name),
                !rejected.contains("\(uid)/review/\(name)")
            {
                found.append("review \(review.metadata.name ?? "") persisted but not in the status")
            }
        }
        return found
    }

    /// One card per request (exactly one for one still waiting), no reply twice.
    func chat(of request: ActionRequest) -> [String] {
        let uid = request.metadata.uid ?? ""
        let posts = cardPosts[uid] ?? 0
        var found: [String] = []
        if posts > 1 { found.append("\(posts) cards posted") }
        if request.status?.phase == .pending, posts != 1 { found.append("Pending with \(posts) cards") }
        let replies = self.replies[uid] ?? []
        if Set(replies).count != replies.count { found.append("a thread reply posted twice: \(replies)") }
        return found
    }
}
