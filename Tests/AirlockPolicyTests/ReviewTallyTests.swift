import AirlockAPI
import AirlockPolicy
import Foundation
import KubeCore
import Testing

/// "Who may approve": which reviews count, and what they add up to.
@Suite struct ReviewTallyTests {
    typealias F = Fixture

    static let start = Date(timeIntervalSince1970: 1_700_000_000)
    static let ephemeral = "system:serviceaccount:agents:airlock-req-1-3f2a"
    static let anyone = ApprovalRequirements(
        requiredApprovals: 1, maxDuration: F.duration("1h"), pendingTimeout: F.duration("1h"), policies: [])
    static let twoSRE = ApprovalRequirements(
        requiredApprovals: 2, reviewerSets: [ReviewerSet(groups: ["sre"])], maxDuration: F.duration("1h"),
        pendingTimeout: F.duration("15m"), policies: ["prod-deletes"])

    static func tally(
        _ requirements: ApprovalRequirements = anyone, phase: ActionRequestPhase = .pending,
        request: ActionRequest = F.request(for: "1h")
    ) -> ReviewTally {
        ReviewTally(request: request, ephemeralServiceAccount: ephemeral, requirements: requirements, phase: phase)
    }

    static func review(
        _ name: String, by reviewer: Identity, _ decision: ReviewDecision = .approve, at minute: Int = 0,
        duration: String? = nil, onBehalfOf: String?? = .none, groups: [String] = [], permitted: Bool = false,
        signed: Bool = true, sar: Bool? = true, requestUID: String? = F.requestUID, owner: String? = nil
    ) -> ReviewCandidate {
        ReviewCandidate(
            name: name, reviewer: reviewer,
            onBehalfOf: onBehalfOf.map { OnBehalfOf(username: $0, channel: "slack", externalUser: "U42") },
            onBehalfOfGroups: groups, onBehalfOfPermitted: permitted, decision: decision,
            duration: duration.map(F.duration),
            channel: onBehalfOf == nil ? "kubernetes" : "slack", signatureVerified: signed, approveAllowed: sar,
            at: start.addingTimeInterval(Double(minute) * 60), requestUID: requestUID, reviewerOwner: owner)
    }

    /// A tally of a request made by an agent that alice owns.
    static func owned() -> ReviewTally {
        var tally = tally()
        tally.requesterOwner = "alice"
        return tally
    }

    struct RejectionCase: Sendable, CustomTestStringConvertible {
        var name: String
        var tally: ReviewTally
        var review: ReviewCandidate
        var rejection: ReviewRejection
        var message: String
        var testDescription: String { name }
    }

    static let subjectRequest = F.request(
        for: "1h", credential: .subject, subject: .serviceAccount("deployer", namespace: "agents"))
    static let groupRequest = F.request(for: "1h", credential: .subject, subject: .group("dev"))

    static let rejections: [RejectionCase] = [
        RejectionCase(
            name: "signature does not verify", tally: tally(), review: review("r", by: F.alice, signed: false),
            rejection: .signatureInvalid, message: "the signature on reviewer alice does not verify"),
        RejectionCase(
            name: "identity without username", tally: tally(),
            review: review("r", by: Identity(username: "", signature: "x")), rejection: .missingIdentity,
            message: "no stamped reviewer"),
        RejectionCase(
            name: "requester approves its own request", tally: tally(), review: review("r", by: F.agent),
            rejection: .selfApproval, message: "system:serviceaccount:agents:deployer is the requester"),
        RejectionCase(
            name: "requester denies its own request", tally: tally(), review: review("r", by: F.agent, .deny),
            rejection: .selfApproval, message: "(it may Revoke it)"),
        RejectionCase(
            name: "ephemeral grantee approves", tally: tally(),
            review: review("r", by: Identity(username: ephemeral, signature: "s")), rejection: .granteeApproval,
            message: "would receive the access"),
        RejectionCase(
            name: "Subject-mode grantee approves", tally: tally(request: subjectRequest),
            review: review("r", by: Identity(username: "system:serviceaccount:agents:deployer", signature: "s")),
            rejection: .selfApproval, message: "is the requester"),
        RejectionCase(
            name: "member of a grantee group approves", tally: tally(request: groupRequest),
            review: review("r", by: F.carol), rejection: .granteeApproval, message: "carol would receive the access"),
        RejectionCase(
            name: "chat review on behalf of the requester", tally: tally(),
            review: review("r", by: F.controller, onBehalfOf: F.agent.username, permitted: true),
            rejection: .onBehalfOfRequester, message: "a chat review on its behalf does not count"),
        RejectionCase(
            name: "chat review on behalf of the grantee", tally: tally(),
            review: review("r", by: F.controller, onBehalfOf: ephemeral, permitted: true),
            rejection: .onBehalfOfGrantee, message: "would receive the access"),
        RejectionCase(
            name: "onBehalfOf from someone other than the controller", tally: tally(),
            review: review("r", by: F.bob, onBehalfOf: "alice", permitted: false), rejection: .onBehalfOfNotPermitted,
            message: "bob may not review on behalf of others"),
        RejectionCase(
            name: "chat user not mapped", tally: tally(),
            review: review("r", by: F.controller, onBehalfOf: .some(nil), permitted: true),
            rejection: .unmappedChatUser, message: "slack user U42 is not mapped to a Kubernetes user"),
        RejectionCase(
            name: "SubjectAccessReview denies", tally: tally(), review: review("r", by: F.alice, sar: false),
            rejection: .notAuthorized, message: "alice may not approve actionrequests.airlock.dev here"),
        RejectionCase(
            name: "SubjectAccessReview not made", tally: tally(), review: review("r", by: F.alice, sar: nil),
            rejection: .notAuthorized, message: "was not checked"),
        RejectionCase(
            name: "reviewer outside the policy's reviewer set", tally: tally(twoSRE), review: review("r", by: F.carol),
            rejection: .notAllowedByPolicy,
            message: "carol is not an allowed reviewer: reviewers must be (in group sre)"),
        RejectionCase(
            name: "reviewer must satisfy every policy's reviewer set",
            tally: tally(
                ApprovalRequirements(
                    requiredApprovals: 1, reviewerSets: [ReviewerSet(groups: ["sre"]), ReviewerSet(users: ["bob"])],
                    maxDuration: F.duration("1h"), pendingTimeout: F.duration("1h"))),
            review: review("r", by: F.alice), rejection: .notAllowedByPolicy, message: "and (user bob)"),
        RejectionCase(
            name: "chat user checked against the reviewer set", tally: tally(twoSRE),
            review: review("r", by: F.controller, onBehalfOf: "mallory", groups: ["dev"], permitted: true),
            rejection: .notAllowedByPolicy, message: "mallory is not an allowed reviewer"),
        RejectionCase(
            name: "the controller's own groups do not vouch for a chat user", tally: tally(twoSRE),
            review: review(
                "r", by: Identity(username: F.controller.username, groups: ["sre"], signature: "s"),
                onBehalfOf: "mallory", permitted: true),
            rejection: .notAllowedByPolicy, message: "mallory is not an allowed reviewer"),
        RejectionCase(
            name: "approve on a Granted request", tally: tally(phase: .granted), review: review("r", by: F.alice),
            rejection: .notPending, message: "the request is Granted, no longer Pending; use Revoke to end the grant"),
        RejectionCase(
            name: "deny on an Expired request", tally: tally(phase: .expired), review: review("r", by: F.alice, .deny),
            rejection: .notPending, message: "the request is Expired"),
        RejectionCase(
            name: "reviewer revoke on a Pending request", tally: tally(), review: review("r", by: F.alice, .revoke),
            rejection: .notGranted, message: "use Deny to stop it"),
        RejectionCase(
            name: "revoke by a user RBAC does not allow", tally: tally(phase: .granted),
            review: review("r", by: F.carol, .revoke, sar: false), rejection: .notAuthorized,
            message: "carol may not approve"),
        RejectionCase(
            name: "revoke by a user the policy does not allow", tally: tally(twoSRE, phase: .granted),
            review: review("r", by: F.carol, .revoke), rejection: .notAllowedByPolicy, message: "carol"),
        RejectionCase(
            name: "requester revoke on a finished request", tally: tally(phase: .revoked),
            review: review("r", by: F.agent, .revoke, sar: nil), rejection: .requestFinished,
            message: "the request is already Revoked; there is nothing to revoke"),
        RejectionCase(
            name: "approved duration longer than requested", tally: tally(),
            review: review("r", by: F.alice, duration: "2h"), rejection: .durationNotShorter,
            message: "approved duration 2h is longer than the requested 1h; a review may only shorten it"),
        RejectionCase(
            name: "approved duration zero", tally: tally(), review: review("r", by: F.alice, duration: "0s"),
            rejection: .invalidDuration, message: "approved duration 0s is not positive"),
    ]

    @Test(arguments: rejections)
    func rejects(_ test: RejectionCase) throws {
        let result = test.tally.tally([test.review])
        let verdict = try #require(result.verdicts.first)
        #expect(verdict.rejection == test.rejection)
        #expect(verdict.message.contains(test.message), "message: \(verdict.message)")
        #expect(verdict.record.counted == false)
        #expect(verdict.record.rejectedReason?.hasPrefix("\(test.rejection.rawValue): ") == true)
        #expect(result.outcome != .approved(duration: F.duration("1h")))
    }

    struct OutcomeCase: Sendable, CustomTestStringConvertible {
        var name: String
        var tally: ReviewTally
        var reviews: [ReviewCandidate]
        var outcome: ReviewOutcome
        /// Rejection per review name; reviews not listed must count.
        var rejected: [String: ReviewRejection] = [:]
        var testDescription: String { name }
    }

    static let outcomes: [OutcomeCase] = [
        OutcomeCase(
            name: "no reviews yet", tally: tally(twoSRE), reviews: [], outcome: .pending(approvals: 0, required: 2)),
        OutcomeCase(
            name: "2-of-2: one approval is not enough", tally: tally(twoSRE), reviews: [review("a", by: F.alice)],
            outcome: .pending(approvals: 1, required: 2)),
        OutcomeCase(
            name: "2-of-2: the same reviewer twice is one vote", tally: tally(twoSRE),
            reviews: [review("a1", by: F.alice, at: 1), review("a2", by: F.alice, at: 2)],
            outcome: .pending(approvals: 1, required: 2)),
        OutcomeCase(
            name: "2-of-2: the same person via chat and kubectl is one vote", tally: tally(twoSRE),
            reviews: [
                review("k", by: F.alice, at: 1),
                review("s", by: F.controller, at: 2, onBehalfOf: "alice", groups: ["sre"], permitted: true),
            ], outcome: .pending(approvals: 1, required: 2)),
        OutcomeCase(
            name: "2-of-2: granted after the second distinct approval", tally: tally(twoSRE),
            reviews: [review("a", by: F.alice, at: 1), review("b", by: F.bob, at: 2)],
            outcome: .approved(duration: F.duration("1h"))),
        OutcomeCase(
            name: "rejected reviews do not add up", tally: tally(twoSRE),
            reviews: [
                review("a", by: F.alice, at: 1), review("c", by: F.carol, at: 2), review("g", by: F.agent, at: 3),
            ],
            outcome: .pending(approvals: 1, required: 2), rejected: ["c": .notAllowedByPolicy, "g": .selfApproval]),
        OutcomeCase(
            name: "a counted deny wins even after enough approvals", tally: tally(twoSRE),
            reviews: [
                review("a", by: F.alice, at: 1), review("b", by: F.bob, at: 2),
                review("d", by: Identity(username: "dave", groups: ["sre"], signature: "s"), .deny, at: 3),
            ], outcome: .denied(by: "dave")),
        OutcomeCase(
            name: "deny first", tally: tally(),
            reviews: [review("b", by: F.bob, .deny, at: 1), review("a", by: F.alice, at: 2)],
            outcome: .denied(by: "bob")),
        OutcomeCase(
            name: "a rejected deny does not deny", tally: tally(twoSRE),
            reviews: [review("c", by: F.carol, .deny, at: 1), review("a", by: F.alice, at: 2)],
            outcome: .pending(approvals: 1, required: 2), rejected: ["c": .notAllowedByPolicy]),
        OutcomeCase(
            name: "the latest vote stands: a reviewer who approved, then denies, denies", tally: tally(twoSRE),
            reviews: [review("a", by: F.alice, at: 1), review("d", by: F.alice, .deny, at: 2)],
            outcome: .denied(by: "alice")),
        OutcomeCase(
            name: "the latest approval's duration stands", tally: tally(),
            reviews: [review("a", by: F.alice, at: 1, duration: "10m"), review("b", by: F.alice, at: 2)],
            outcome: .approved(duration: F.duration("1h"))),
        OutcomeCase(
            name: "a rejected first vote leaves the reviewer's next one", tally: tally(),
            reviews: [
                review("long", by: F.alice, at: 1, duration: "3h"), review("ok", by: F.alice, at: 2, duration: "30m"),
            ],
            outcome: .approved(duration: F.duration("30m")), rejected: ["long": .durationNotShorter]),
        OutcomeCase(
            name: "the shortest approved duration wins", tally: tally(twoSRE),
            reviews: [
                review("a", by: F.alice, at: 1, duration: "45m"), review("b", by: F.bob, at: 2, duration: "20m"),
            ],
            outcome: .approved(duration: F.duration("20m"))),
        OutcomeCase(
            name: "reviews are taken in time order, not input order", tally: tally(twoSRE),
            reviews: [review("late", by: F.alice, at: 5, duration: "5m"), review("early", by: F.alice, at: 1)],
            outcome: .pending(approvals: 1, required: 2)),
        OutcomeCase(
            name: "a review of an earlier request of the same name never counts", tally: tally(),
            reviews: [review("old", by: F.alice, requestUID: "uid-of-an-earlier-req-1")],
            outcome: .pending(approvals: 0, required: 1), rejected: ["old": .otherRequestInstance]),
        OutcomeCase(
            name: "a review without a request instance never counts", tally: tally(),
            reviews: [review("bare", by: F.alice, requestUID: nil)],
            outcome: .pending(approvals: 0, required: 1), rejected: ["bare": .otherRequestInstance]),
        OutcomeCase(
            name: "the owner of the requesting agent cannot approve", tally: owned(),
            reviews: [review("o", by: F.alice)],
            outcome: .pending(approvals: 0, required: 1), rejected: ["o": .selfApproval]),
        OutcomeCase(
            name: "an agent owned by the requester cannot approve", tally: tally(),
            reviews: [
                review(
                    "o", by: Identity(username: "system:serviceaccount:x:bot", signature: "s"), owner: F.agent.username)
            ],
            outcome: .pending(approvals: 0, required: 1), rejected: ["o": .selfApproval]),
        OutcomeCase(
            name: "the owner of the requesting agent may withdraw it", tally: owned(),
            reviews: [review("w", by: F.alice, .revoke, sar: nil)], outcome: .revoked(by: "alice")),
        OutcomeCase(
            name: "requester withdraws a Pending request (no SubjectAccessReview needed)", tally: tally(),
            reviews: [review("w", by: F.agent, .revoke, sar: nil)], outcome: .revoked(by: F.agent.username)),
        OutcomeCase(
            name: "requester releases its grant", tally: tally(twoSRE, phase: .granted),
            reviews: [review("w", by: F.agent, .revoke, sar: nil)], outcome: .revoked(by: F.agent.username)),
        OutcomeCase(
            name: "an allowed reviewer revokes a grant", tally: tally(twoSRE, phase: .granted),
            reviews: [review("r", by: F.alice, .revoke)], outcome: .revoked(by: "alice")),
        OutcomeCase(
            name: "revoke by an unauthorized user changes nothing", tally: tally(phase: .granted),
            reviews: [review("r", by: F.carol, .revoke, sar: false)], outcome: .unchanged,
            rejected: ["r": .notAuthorized]),
        OutcomeCase(
            name: "late approvals on a Granted request", tally: tally(phase: .granted),
            reviews: [review("a", by: F.alice), review("d", by: F.bob, .deny)], outcome: .unchanged,
            rejected: ["a": .notPending, "d": .notPending]),
        OutcomeCase(
            name: "approval through chat counts for the chat user", tally: tally(),
            reviews: [review("s", by: F.controller, onBehalfOf: "alice", permitted: true)],
            outcome: .approved(duration: F.duration("1h"))),
        OutcomeCase(
            name: "chat user's mapped groups satisfy a group reviewer set", tally: tally(twoSRE),
            reviews: [
                review("a", by: F.alice, at: 1),
                review("s", by: F.controller, at: 2, onBehalfOf: "erin", groups: ["sre"], permitted: true),
            ], outcome: .approved(duration: F.duration("1h"))),
    ]

    @Test(arguments: outcomes)
    func tallies(_ test: OutcomeCase) {
        let result = test.tally.tally(test.reviews)
        #expect(result.outcome == test.outcome)
        #expect(result.verdicts.count == test.reviews.count)
        for verdict in result.verdicts {
            #expect(
                verdict.rejection == test.rejected[verdict.review.name], "\(verdict.review.name): \(verdict.message)")
        }
    }

    @Test func approvedDurationNeverExceedsTheRequirementsMaximum() {
        let requirements = ApprovalRequirements(
            requiredApprovals: 1, maxDuration: F.duration("10m"), pendingTimeout: F.duration("1h"))
        let result = Self.tally(requirements).tally([Self.review("a", by: F.alice)])
        #expect(result.outcome == .approved(duration: F.duration("10m")))
    }

    @Test func recordsKeepTheAuditTrail() throws {
        let result = Self.tally().tally([
            Self.review("s", by: F.controller, at: 1, duration: "30m", onBehalfOf: "alice", permitted: true),
            Self.review("g", by: F.agent, at: 2),
        ])
        let counted = try #require(result.verdict(for: "s")).record
        #expect(
            counted
                == ReviewRecord(
                    review: "s", reviewer: "alice", decision: .approve, at: Self.start.addingTimeInterval(60),
                    channel: "slack", duration: F.duration("30m"), counted: true))
        #expect(result.verdict(for: "s")?.message == "alice approved for 30m")
        let rejected = try #require(result.verdict(for: "g")).record
        #expect(rejected.counted == false)
        #expect(
            rejected.rejectedReason
                == "SelfApproval: system:serviceaccount:agents:deployer is the requester and cannot review its own"
                + " request (it may Revoke it)")
        #expect(result.rejected.map(\.review.name) == ["g"])
    }

    @Test func granteeOfARequest() {
        let ephemeral = F.request()
        #expect(
            Grantee.of(ephemeral, ephemeralServiceAccount: "system:serviceaccount:agents:x")
                == .user("system:serviceaccount:agents:x"))
        #expect(Grantee.of(ephemeral, ephemeralServiceAccount: nil) == nil)
        #expect(
            Grantee.of(F.request(credential: .subject), ephemeralServiceAccount: "ignored") == .user(F.agent.username))
        #expect(
            Grantee.of(Self.subjectRequest, ephemeralServiceAccount: nil)
                == .user("system:serviceaccount:agents:deployer"))
        #expect(Grantee.of(Self.groupRequest, ephemeralServiceAccount: nil) == .group("dev"))
        #expect(Grantee(subject: .user("carol")).includes(F.carol))
    }
}
