import AirlockAPI
import Foundation
import KubeCore
import Testing

@testable import AirlockAdmission

/// On CREATE the mutating webhook is the only one called (the validating one is registered for
/// UPDATE): it refuses a malformed spec with the same messages, and stamps nothing.
@Suite struct MutateValidationTests {
    let handler = Fixtures.handler()

    @Test(arguments: ValidateTests.invalidRequests.indices)
    func invalidRequestsAreRefusedNamingTheField(_ index: Int) async {
        let (_, change, message) = ValidateTests.invalidRequests[index]
        var request = Fixtures.request()
        change(&request)
        let answer = await handler.mutate(Fixtures.admissionReview(object: Fixtures.json(request))).answer
        #expect(!answer.allowed)
        #expect(answer.status?.code == 422)
        #expect(answer.status?.reason == "Invalid")
        #expect(answer.status?.message == message)
        #expect(answer.patch == nil)
    }

    @Test func invalidReviewsAreRefusedBeforeTheirRequestIsLookedUp() async {
        var review = Fixtures.review(decision: .deny)
        review.spec.duration = KubeDuration(seconds: 60)
        let object = Fixtures.json(review)
        let answer = await handler.mutate(
            Fixtures.admissionReview(kind: "ActionReview", user: Fixtures.bob, object: object)
        ).answer
        #expect(!answer.allowed)
        #expect(answer.status?.code == 422)
        #expect(answer.status?.message == "spec.duration applies only to Approve (got decision Deny)")
        #expect(answer.patch == nil)
    }

    @Test func aWellFormedRequestIsStillStamped() async {
        let answer = await handler.mutate(Fixtures.admissionReview(object: Fixtures.json(Fixtures.request()))).answer
        #expect(answer.allowed, "\(answer.status?.message ?? "")")
        #expect(answer.patch != nil)
    }
}
