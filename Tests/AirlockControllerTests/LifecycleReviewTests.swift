import AirlockAPI
import AirlockController
import AirlockPolicy
import Foundation
import KubeCore
import Testing

private typealias F = LifecycleFixture

/// The reviews of a Pending request under ``LifecycleFixture/twoSRE`` (two approvals from
/// group `sre`), one step each, with no I/O.
extension SecuritySweep {
    @Suite struct LifecycleReviewTests {
        static let waiting = [
            "Evaluated": "True RequireApproval", "Approved": "False WaitingForApprovals", "Decided": "False Pending",
        ]

        @Test func enoughCountedApprovalsGrantForTheShortestApprovedDuration() throws {
            let observation = F.observation(
                policies: [F.twoSRE],
                reviews: [
                    F.review("r-bob", by: F.bob, duration: KubeDuration(seconds: 1200)),
                    F.review("r-carol", by: F.carol, after: 61),
                ])
            let step = F.lifecycle.step(observation)
            // Approved when carol approved: access runs 20 minutes from there.
            let start = F.accessStart(approvedAfter: 61)
            let plan = try F.planner.plan(request: F.request(), duration: KubeDuration(seconds: 1200), now: start)
            let expiresAt = start.addingTimeInterval(1200)
            F.check(
                step,
                .init(
                    phase: .granted,
                    conditions: [
                        "Evaluated": "True RequireApproval", "Approved": "True Approved",
                        "Granted": "True AccessGranted",
                        "Decided": "True Granted",
                    ],
                    effects: [.grant(plan)],
                    announcements: [
                        F.evaluatedKey(F.evaluate([F.twoSRE])), F.key("review/r-bob"), F.key("review/r-carol"),
                        F.key("granted"),
                    ],
                    wakeAt: F.revocation(of: expiresAt)))
            #expect(step.status.conditions?[type: "Approved"]?.message == "approved by bob, carol")
            #expect(step.status.grantedAt == start)
            #expect(step.status.expiresAt == expiresAt)
            #expect(step.status.grants == plan.objectRefs)
            #expect(step.status.pendingDeadline == F.deadline)
            #expect(step.status.reviews?.map(\.reviewer) == ["bob", "carol"])
            #expect(step.status.reviews?.allSatisfy(\.counted) == true)
            #expect(step.status.reviews?.first?.duration == KubeDuration(seconds: 1200))
            #expect(step.status.rejectedReviews == nil)
            #expect(step.reviewStatuses == ["r-bob": F.counted, "r-carol": F.counted])
        }

        @Test func countedDenyDenies() {
            let observation = F.observation(
                policies: [F.twoSRE],
                reviews: [F.review("r-bob", by: F.bob, .deny), F.review("r-carol", by: F.carol, after: 61)])
            let step = F.lifecycle.step(observation)
            F.check(
                step,
                .init(
                    phase: .denied,
                    conditions: [
                        "Evaluated": "True RequireApproval", "Approved": "False DeniedByReviewer",
                        "Denied": "True DeniedByReviewer", "Decided": "True Denied",
                    ],
                    announcements: [
                        F.evaluatedKey(F.evaluate([F.twoSRE])), F.key("review/r-bob"), F.key("review/r-carol"),
                        F.key("denied"),
                    ]))
            #expect(step.status.conditions?[type: "Denied"]?.message == "denied by bob")
            #expect(step.announcements.first { $0.key == F.key("denied") }?.audit?.actor == "bob")
            #expect(step.status.grants == nil && step.status.grantedAt == nil)
            #expect(step.reviewStatuses == ["r-bob": F.counted, "r-carol": F.counted])
        }

        @Test func requesterRevokingAPendingRequestWithdrawsIt() {
            let observation = F.observation(
                policies: [F.twoSRE],
                reviews: [F.review("r-bob", by: F.bob), F.review("r-alice", by: F.alice, .revoke, approveAllowed: nil)])
            let step = F.lifecycle.step(observation)
            F.check(
                step,
                .init(
                    phase: .revoked,
                    conditions: [
                        "Evaluated": "True RequireApproval", "Revoked": "True Withdrawn", "Decided": "True Revoked",
                    ],
                    announcements: [
                        F.evaluatedKey(F.evaluate([F.twoSRE])), F.key("review/r-bob"), F.key("review/r-alice"),
                        F.key("revoked"),
                    ]))
            #expect(step.status.grants == nil && step.status.grantedAt == nil)
            #expect(step.reviewStatuses == ["r-bob": F.counted, "r-alice": F.counted])
        }

        // MARK: Reviews that never count

        /// One review that must not count, next to a counted approval by carol: were it counted,
        /// the two would grant the request.
        struct NonCounting: Sendable, CustomTestStringConvertible {
            var testDescription: String
            var review: ReviewObservation
            var code: ReviewRejection
        }

        static let grantee = ActionRequestLifecycle.ephemeralUsername(of: F.request()) ?? ""

        static let nonCounting: [NonCounting] = [
            NonCounting(
                testDescription: "another request instance",
                review: F.review("r-bob", by: F.bob, requestUID: "uid-earlier"), code: .otherRequestInstance),
            NonCounting(
                testDescription: "no request instance",
                review: F.review("r-bob", by: F.bob, requestUID: nil), code: .otherRequestInstance),
            NonCounting(
                testDescription: "created before the request",
                review: F.review("r-bob", by: F.bob, after: -1), code: .otherRequestInstance),
            NonCounting(
                testDescription: "signature not verified",
                review: F.review("r-bob", by: F.bob, signatureVerified: false), code: .signatureInvalid),
            NonCounting(
                testDescription: "the requester", review: F.review("r-alice", by: F.alice), code: .selfApproval),
            NonCounting(
                testDescription: "the requester's owner",
                review: F.review("r-olivia", by: Identity(username: F.owner, groups: ["sre"])), code: .selfApproval),
            NonCounting(
                testDescription: "the grantee",
                review: F.review("r-grantee", by: Identity(username: grantee, groups: ["sre"])), code: .granteeApproval),
            NonCounting(
                testDescription: "not in the reviewer set",
                review: F.review("r-mallory", by: F.mallory), code: .notAllowedByPolicy),
            NonCounting(
                testDescription: "SubjectAccessReview said no",
                review: F.review("r-bob", by: F.bob, approveAllowed: false), code: .notAuthorized),
            NonCounting(
                testDescription: "SubjectAccessReview not made",
                review: F.review("r-bob", by: F.bob, approveAllowed: nil), code: .notAuthorized),
            NonCounting(
                testDescription: "longer than requested",
                review: F.review("r-bob", by: F.bob, duration: KubeDuration(seconds: 3600)), code: .durationNotShorter),
        ]

        @Test(arguments: nonCounting)
        func reviewThatMustNotCountLeavesTheRequestWaiting(_ case_: NonCounting) throws {
            let name = case_.review.name
            let observation = F.observation(
                policies: [F.twoSRE], requesterOwner: F.owner,
                reviews: [case_.review, F.review("r-carol", by: F.carol, after: 61)])
            let step = F.lifecycle.step(observation)
            F.check(
                step,
                .init(
                    phase: .pending, conditions: Self.waiting,
                    announcements: [
                        F.evaluatedKey(F.evaluate([F.twoSRE])), F.key("review/\(name)"), F.key("review/r-carol"),
                    ],
                    wakeAt: F.deadline))
            #expect(step.status.conditions?[type: "Approved"]?.message == "1 of 2 approvals")
            #expect(step.status.rejectedReviews == 1)
            let record = try #require(step.status.reviews?.first { $0.review == name })
            #expect(!record.counted)
            #expect(record.rejectedReason?.hasPrefix("\(case_.code.rawValue): ") == true)
            let copy = try #require(step.reviewStatuses[name])
            #expect(copy.counted == false)
            #expect(copy.reason?.hasPrefix(case_.code.rawValue) == true)
            #expect(step.reviewStatuses["r-carol"] == F.counted)
            #expect(step.announcements.first { $0.key == F.key("review/\(name)") }?.event?.warning == true)
        }

        @Test func approvalsOfAnEarlierInstanceNeverGrant() {
            let observation = F.observation(
                policies: [F.twoSRE],
                reviews: [
                    F.review("r-bob", by: F.bob, requestUID: "uid-earlier"),
                    F.review("r-carol", by: F.carol, after: 61, requestUID: "uid-earlier"),
                ])
            let step = F.lifecycle.step(observation)
            #expect(step.status.phase == .pending)
            #expect(step.effects.isEmpty)
            #expect(step.status.conditions?[type: "Approved"]?.message == "0 of 2 approvals")
            #expect(step.status.rejectedReviews == 2)
            #expect(step.status.reviews?.contains { $0.counted } == false)
            #expect(step.reviewStatuses.values.allSatisfy { $0.counted == false })
        }

        // MARK: Stored verdicts

        /// bob's approval is listed in `status.reviews` (so it is no candidate); its copy on the
        /// review was written, or lost to a crash.
        @Test(arguments: [true, false])
        func storedVerdictIsNotJudgedAgainAndStillCounts(_ copied: Bool) throws {
            var waiting = F.observation(policies: [F.twoSRE], reviews: [F.review("r-bob", by: F.bob)])
            let first = F.lifecycle.step(waiting)
            #expect(first.status.phase == .pending)
            waiting.reviews[0].copy = copied ? F.counted : nil
            waiting.reviews[0].candidate = nil
            waiting.request.status = first.status
            waiting.reviews.append(F.review("r-carol", by: F.carol, after: 61))

            let step = F.lifecycle.step(waiting)
            let start = F.accessStart(approvedAfter: 61)
            let plan = try F.planner.plan(request: F.request(), duration: F.requested, now: start)
            F.check(
                step,
                .init(
                    phase: .granted,
                    conditions: [
                        "Evaluated": "True RequireApproval", "Approved": "True Approved",
                        "Granted": "True AccessGranted",
                        "Decided": "True Granted",
                    ],
                    effects: [.grant(plan)], announcements: [F.key("review/r-carol"), F.key("granted")],
                    wakeAt: F.revocation(of: start.addingTimeInterval(1800))))
            #expect(step.status.reviews?.first == first.status.reviews?.first)
            #expect(step.status.reviews?.map(\.review) == ["r-bob", "r-carol"])
            #expect(
                step.reviewStatuses == (copied ? ["r-carol": F.counted] : ["r-bob": F.counted, "r-carol": F.counted]))
        }

        // MARK: Bounded reviews

        enum Flood: String, CaseIterable, Sendable {
            /// The requester approving its own request 100 times.
            case selfApprovals
            /// 100 different reviewers outside the reviewer set.
            case strangers

            func reviewer(_ index: Int) -> Identity {
                switch self {
                case .selfApprovals: F.alice
                case .strangers: Identity(username: String(format: "dev-%03d", index), groups: ["dev"])
                }
            }
        }

        @Test(arguments: Flood.allCases)
        func aFloodOfRejectedReviewsStaysBounded(_ flood: Flood) throws {
            let rejected = (0..<100).map { index in
                F.review(String(format: "r-%03d", index), by: flood.reviewer(index), after: Double(index + 1))
            }
            let approvals = [F.review("r-bob", by: F.bob, after: 200), F.review("r-carol", by: F.carol, after: 201)]
            let step = F.lifecycle.step(F.observation(policies: [F.twoSRE], reviews: rejected + approvals))
            let reviews = try #require(step.status.reviews)
            #expect(reviews.count <= ActionRequestStatus.maxListedReviews)
            #expect(reviews.count == (flood == .selfApprovals ? 3 : ActionRequestStatus.maxListedReviews))
            #expect(reviews.filter(\.counted).map(\.reviewer) == ["bob", "carol"])
            // The newest rejected ones are kept.
            #expect(reviews.filter { !$0.counted }.last?.review == "r-099")
            #expect(step.status.rejectedReviews == 100)
            #expect(step.status.phase == .granted)
            #expect(step.grantPlan?.expiresAt == F.accessStart(approvedAfter: 201).addingTimeInterval(1800))

            let names = (rejected + approvals).map(\.name)
            #expect(step.reviewStatuses.count == 102)
            for name in names.prefix(100) { #expect(step.reviewStatuses[name]?.counted == false) }
            #expect(step.reviewStatuses["r-bob"] == F.counted && step.reviewStatuses["r-carol"] == F.counted)
            // Every verdict is announced once, listed or not.
            let keys = step.announcements.map(\.key)
            #expect(Set(keys).count == keys.count)
            #expect(
                Set(keys)
                    == Set(
                        names.map { F.key("review/\($0)") } + [
                            F.evaluatedKey(F.evaluate([F.twoSRE])), F.key("granted"),
                        ]))
        }
    }
}
