import AirlockAPI
import AirlockIdentity
import Foundation
import KubeCore
import Testing

@testable import AirlockAdmission

@Suite struct ValidateTests {
    let handler = Fixtures.handler()

    /// An object as the validating webhook sees it: mutated (stamped, signed) already.
    func stamped(_ request: ActionRequest, by user: UserInfo = Fixtures.alice) -> JSONValue {
        Fixtures.json(Fixtures.signer.stamp(request, requester: Identity(userInfo: user), now: Fixtures.fixedNow))
    }

    func stamped(_ review: ActionReview, by user: UserInfo = Fixtures.bob) -> JSONValue {
        Fixtures.json(Fixtures.signer.stamp(review, reviewer: Identity(userInfo: user), now: Fixtures.fixedNow))
    }

    func validate(
        _ object: JSONValue, kind: String = "ActionRequest", user: UserInfo = Fixtures.alice
    ) async
        -> AdmissionReview.Response
    {
        await handler.validate(Fixtures.admissionReview(kind: kind, user: user, object: object)).answer
    }

    @Test func aStampedWellFormedRequestIsAllowed() async {
        let answer = await validate(stamped(Fixtures.request()))
        #expect(answer.allowed, "\(answer.status?.message ?? "")")
    }

    @Test func anUnstampedOrForeignIdentityIsRejected() async {
        let unsigned = Fixtures.json(Fixtures.request(requester: Identity(username: "alice")))
        let answer = await validate(unsigned)
        #expect(!answer.allowed)
        #expect(answer.status?.code == 403)
        #expect(
            answer.status?.message?.hasPrefix(
                "spec.requester is not a verified stamp of Airlock's mutating admission webhook (IdentitySignatureMissing"
            ) == true)

        // Signed for alice, created by bob.
        let other = await validate(stamped(Fixtures.request()), user: Fixtures.bob)
        #expect(!other.allowed)
        #expect(other.status?.message == "spec.requester.username \"alice\" is not the caller (bob)")
    }

    static let invalidRequests: [(String, @Sendable (inout ActionRequest) -> Void, String)] = [
        ("reason", { $0.spec.reason = "  " }, "spec.reason must not be empty"),
        ("duration", { $0.spec.duration = KubeDuration(seconds: 0) }, "spec.duration must be positive (got 0s)"),
        (
            "nothing asked", { $0.spec.permissions = nil },
            "spec.permissions or spec.roleRef (or both) is required"
        ),
        ("empty permissions", { $0.spec.permissions = [] }, "spec.permissions must not be empty when set"),
        ("verbs", { $0.spec.permissions?[0].verbs = [] }, "spec.permissions[0].verbs must not be empty"),
        ("resources", { $0.spec.permissions?[0].resources = [] }, "spec.permissions[0].resources must not be empty"),
        (
            "empty verb", { $0.spec.permissions?[0].verbs = ["get", ""] },
            "spec.permissions[0].verbs[1] must not be empty"
        ),
        (
            "apiGroups", { $0.spec.permissions?[0].apiGroups = [] },
            "spec.permissions[0].apiGroups must not be empty (use \"\" for the core group)"
        ),
        (
            "namespace", { $0.spec.permissions?[0].namespace = "" },
            "spec.permissions[0].namespace must not be empty (omit it for a cluster-scoped rule)"
        ),
        (
            "resourceNames", { $0.spec.permissions?[0].resourceNames = [] },
            "spec.permissions[0].resourceNames must not be empty when set (omit it to cover every object)"
        ),
        (
            "second rule",
            {
                $0.spec.permissions?.append(
                    PermissionRule(namespace: "prod", apiGroups: ["apps"], resources: [""], verbs: ["get"]))
            }, "spec.permissions[1].resources[0] must not be empty"
        ),
        (
            "role without namespace", { $0.spec.roleRef = TargetRoleRef(kind: .role, name: "edit", namespace: nil) },
            "spec.roleRef.namespace is required for a Role"
        ),
        (
            "subject without Subject credential", { $0.spec.subject = .user("alice") },
            "spec.subject applies only with spec.credential: Subject"
        ),
    ]

    @Test(arguments: invalidRequests.indices)
    func invalidRequestsAreRejectedNamingTheField(_ index: Int) async {
        let (_, change, message) = Self.invalidRequests[index]
        var request = Fixtures.request()
        change(&request)
        let answer = await validate(stamped(request))
        #expect(!answer.allowed)
        #expect(answer.status?.code == 422)
        #expect(answer.status?.reason == "Invalid")
        #expect(answer.status?.message == message)
    }

    @Test func everyProblemIsListed() async {
        var request = Fixtures.request(reason: "")
        request.spec.permissions?[0].verbs = []
        let answer = await validate(stamped(request))
        #expect(answer.status?.message == "spec.reason must not be empty; spec.permissions[0].verbs must not be empty")
    }

    @Test func missingRequiredFieldsAndBadEnumsAreNamed() async throws {
        var object = stamped(Fixtures.request())
        guard case .object(var members) = object, case .object(var spec)? = members["spec"] else {
            Issue.record("not an object")
            return
        }
        spec["permissions"] = [["resources": ["pods"], "verbs": ["get"]]]
        spec["credential"] = "Borrowed"
        members["spec"] = .object(spec)
        object = .object(members)
        #expect(
            await validate(object).status?.message
                == "spec.credential must be one of Ephemeral, Subject (got \"Borrowed\")")
        spec.removeValue(forKey: "credential")
        members["spec"] = .object(spec)
        #expect(await validate(.object(members)).status?.message == "spec.permissions[0].apiGroups is required")
    }

    // MARK: Reviews

    @Test func aStampedReviewOfAnExistingRequestIsAllowed() async {
        let answer = await validate(stamped(Fixtures.review()), kind: "ActionReview", user: Fixtures.bob)
        #expect(answer.allowed, "\(answer.status?.message ?? "")")
    }

    @Test func reviewFieldsAreChecked() async {
        var review = Fixtures.review(request: "", decision: .deny)
        review.spec.duration = KubeDuration(seconds: 60)
        review.spec.onBehalfOf = OnBehalfOf(username: nil, channel: "", externalUser: "U1")
        let answer = await validate(
            stamped(review, by: Fixtures.controllerUser), kind: "ActionReview", user: Fixtures.controllerUser)
        #expect(
            answer.status?.message
                == "spec.request must not be empty (name the ActionRequest reviewed); spec.duration applies only to"
                + " Approve (got decision Deny); spec.onBehalfOf.channel must not be empty")
    }

    @Test func aBadDecisionListsTheAllowedOnes() async {
        var object = stamped(Fixtures.review())
        if case .object(var members) = object, case .object(var spec)? = members["spec"] {
            spec["decision"] = "Maybe"
            members["spec"] = .object(spec)
            object = .object(members)
        }
        let answer = await validate(object, kind: "ActionReview", user: Fixtures.bob)
        #expect(answer.status?.message == "spec.decision must be one of Approve, Deny, Revoke (got \"Maybe\")")
    }

    @Test func onBehalfOfIsCheckedAgainAtValidation() async {
        let review = Fixtures.review(onBehalfOf: OnBehalfOf(username: "carol", channel: "slack", externalUser: "U1"))
        let answer = await validate(stamped(review), kind: "ActionReview", user: Fixtures.bob)
        #expect(!answer.allowed)
        #expect(answer.status?.code == 403)
        let fromController = await validate(
            stamped(review, by: Fixtures.controllerUser), kind: "ActionReview", user: Fixtures.controllerUser)
        #expect(fromController.allowed, "\(fromController.status?.message ?? "")")
    }

    // MARK: Immutability

    @Test func specChangesAreRejectedNamingTheFields() async {
        let old = stamped(Fixtures.request())
        var changed = Fixtures.signer.stamp(
            Fixtures.request(), requester: Identity(userInfo: Fixtures.alice), now: Fixtures.fixedNow)
        changed.spec.reason = "also drop the database"
        changed.spec.duration = KubeDuration(seconds: 7200)
        let review = Fixtures.admissionReview(operation: "UPDATE", object: Fixtures.json(changed), oldObject: old)
        let answer = await handler.validate(review).answer
        #expect(!answer.allowed)
        #expect(answer.status?.code == 422)
        #expect(
            answer.status?.message
                == "spec is immutable after creation (changed: spec.duration, spec.reason); create a new ActionRequest"
                + " instead")
    }

    @Test func metadataChangesPass() async {
        var request = Fixtures.signer.stamp(
            Fixtures.request(), requester: Identity(userInfo: Fixtures.alice), now: Fixtures.fixedNow)
        let old = Fixtures.json(request)
        request.metadata.labels = ["team": "db"]
        request.metadata.finalizers = ["airlock.dev/revoke-grants"]
        request.metadata.annotations = ["note": "x"]
        let review = Fixtures.admissionReview(
            operation: "UPDATE", user: Fixtures.bob, object: Fixtures.json(request), oldObject: old)
        #expect(await handler.validate(review).answer.allowed)
    }

    @Test func anIdentityAddedOrRemovedOnUpdateIsASpecChange() {
        #expect(
            AdmissionHandler.changedSpecFields(
                old: ["reason": "x"], new: ["reason": "x", "requester": ["username": "a"]]) == ["spec.requester"])
        #expect(AdmissionHandler.changedSpecFields(old: ["reason": "x"], new: nil) == ["spec"])
        #expect(AdmissionHandler.changedSpecFields(old: ["reason": "x"], new: ["reason": "x"]).isEmpty)
    }

    @Test func deletesAndStatusPass() async {
        let object = stamped(Fixtures.request())
        #expect(
            await handler.validate(Fixtures.admissionReview(operation: "DELETE", object: nil, oldObject: object)).answer
                .allowed)
        #expect(
            await handler.validate(
                Fixtures.admissionReview(operation: "UPDATE", object: object, oldObject: object, subResource: "status")
            ).answer.allowed)
    }
}
