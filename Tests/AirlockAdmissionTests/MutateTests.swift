import AirlockAPI
import AirlockIdentity
import Foundation
import KubeCore
import Testing

@testable import AirlockAdmission

@Suite struct MutateTests {
    let handler = Fixtures.handler()

    @Test func forgedRequesterIsOverwrittenWithTheCallerAndSigned() async throws {
        let forged = Identity(username: "bob", uid: "u-bob", groups: ["system:masters"], signature: "v1:1:AAAA")
        let object = Fixtures.json(Fixtures.request(requester: forged))
        let answer = await handler.mutate(Fixtures.admissionReview(object: object)).answer
        #expect(answer.allowed)
        #expect(answer.uid == "3b1f7c2e-0000-4000-8000-000000000001")
        let stored = try Fixtures.applyPatch(of: answer, to: object).decode(ActionRequest.self)
        let requester = try #require(stored.spec.requester)
        #expect(requester.username == "alice")
        #expect(requester.uid == "u-alice")
        #expect(requester.groups == ["dev", "system:authenticated"])
        #expect(Fixtures.signer.verify(stored) == .verified)
        // Everything else is untouched.
        #expect(stored.spec.reason == "restart the stuck primary")
        #expect(stored.metadata.name == "db-restart")
    }

    @Test func theNamespaceComesFromTheRequestWhenTheObjectOmitsIt() async throws {
        let object = Fixtures.json(Fixtures.request(namespace: nil))
        let answer = await handler.mutate(Fixtures.admissionReview(namespace: "team-a", object: object)).answer
        var stored = try Fixtures.applyPatch(of: answer, to: object).decode(ActionRequest.self)
        // The API server fills metadata.namespace after admission.
        stored.metadata.namespace = "team-a"
        #expect(Fixtures.signer.verify(stored) == .verified)
    }

    @Test func generateNameGetsANameThatTheSignatureCovers() async throws {
        var request = Fixtures.request(name: nil)
        request.metadata.generateName = "db-restart-"
        let object = Fixtures.json(request)
        let answer = await handler.mutate(Fixtures.admissionReview(object: object)).answer
        #expect(answer.allowed)
        let stored = try Fixtures.applyPatch(of: answer, to: object).decode(ActionRequest.self)
        #expect(stored.metadata.name == "db-restart-x7k2q")
        #expect(Fixtures.signer.verify(stored) == .verified)
    }

    @Test func longGenerateNamesAreCutLikeTheAPIServerDoes() async throws {
        var request = Fixtures.request(name: nil)
        request.metadata.generateName = String(repeating: "a", count: 70)
        let object = Fixtures.json(request)
        let stored = try Fixtures.applyPatch(
            of: await handler.mutate(Fixtures.admissionReview(object: object)).answer, to: object)
        #expect(stored[path: ["metadata", "name"]]?.stringValue?.count == 63)
    }

    @Test func realRandomSuffixesUseTheAPIServersAlphabet() async {
        let suffix = AdmissionHandler.randomNameSuffix()
        #expect(suffix.count == 5)
        #expect(suffix.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
    }

    @Test func withoutNameOrGenerateNameTheObjectIsInvalid() async {
        let object = Fixtures.json(Fixtures.request(name: nil))
        let answer = await handler.mutate(Fixtures.admissionReview(object: object)).answer
        #expect(!answer.allowed)
        #expect(answer.status?.code == 422)
        #expect(answer.status?.message == "metadata.name or metadata.generateName is required")
    }

    @Test func reviewerIsStampedFromTheCaller() async throws {
        let object = Fixtures.json(Fixtures.review(reviewer: Identity(username: "alice")))
        let answer = await handler.mutate(
            Fixtures.admissionReview(kind: "ActionReview", user: Fixtures.bob, object: object)
        )
        .answer
        #expect(answer.allowed)
        let stored = try Fixtures.applyPatch(of: answer, to: object).decode(ActionReview.self)
        #expect(stored.spec.reviewer?.username == "bob")
        #expect(Fixtures.signer.verify(stored) == .verified)
    }

    @Test func aReviewIsBoundToTheRequestInstanceItNames() async throws {
        var forged = Fixtures.review()
        forged.spec.requestUID = "uid-of-another-request"
        let object = Fixtures.json(forged)
        let answer = await handler.mutate(
            Fixtures.admissionReview(kind: "ActionReview", user: Fixtures.bob, object: object)
        )
        .answer
        #expect(answer.allowed)
        let stored = try Fixtures.applyPatch(of: answer, to: object).decode(ActionReview.self)
        #expect(stored.spec.requestUID == "uid-db-restart")
        #expect(stored.metadata.labels?[AirlockConstants.Label.requestUID] == "uid-db-restart")
        #expect(
            stored.metadata.ownerReferences == [
                OwnerReference(
                    apiVersion: "airlock.dev/v1alpha1", kind: "ActionRequest", name: "db-restart",
                    uid: "uid-db-restart",
                    controller: false)
            ])
        // The uid is signed with the rest: changing it breaks the signature.
        #expect(Fixtures.signer.verify(stored) == .verified)
        var moved = stored
        moved.spec.requestUID = "uid-of-another-request"
        #expect(Fixtures.signer.verify(moved) != .verified)
    }

    @Test func aReviewMustNameAnExistingRequestInItsNamespace() async {
        let object = Fixtures.json(Fixtures.review(request: "nope"))
        let answer = await handler.mutate(
            Fixtures.admissionReview(kind: "ActionReview", user: Fixtures.bob, object: object)
        )
        .answer
        #expect(!answer.allowed)
        #expect(answer.status?.code == 422)
        #expect(
            answer.status?.message
                == "spec.request: ActionRequest \"nope\" not found in namespace \"team-a\" (a review must be in the same"
                + " namespace as its request)")
    }

    @Test func aFailedLookupDeniesWithAnInternalError() async {
        struct Down: Error, CustomStringConvertible { var description: String { "API server down" } }
        let handler = Fixtures.handler(lookupError: Down())
        let review = Fixtures.admissionReview(
            kind: "ActionReview", user: Fixtures.bob, object: Fixtures.json(Fixtures.review()))
        let answer = await handler.mutate(review).answer
        #expect(!answer.allowed)
        #expect(answer.status?.code == 500)
        #expect(answer.status?.message?.hasSuffix("API server down") == true)
    }

    @Test func onBehalfOfIsRejectedFromAnyoneButTheController() async throws {
        let onBehalfOf = OnBehalfOf(username: "carol", channel: "slack", externalUser: "U123")
        let object = Fixtures.json(Fixtures.review(onBehalfOf: onBehalfOf))
        let denied = await handler.mutate(
            Fixtures.admissionReview(kind: "ActionReview", user: Fixtures.bob, object: object)
        )
        .answer
        #expect(!denied.allowed)
        #expect(denied.status?.code == 403)
        #expect(
            denied.status?.message
                == "spec.onBehalfOf may be set only by the Airlock controller (\(Fixtures.controller)), not by bob;"
                + " remove it to review as yourself")

        let allowed = await handler.mutate(
            Fixtures.admissionReview(kind: "ActionReview", user: Fixtures.controllerUser, object: object)
        ).answer
        #expect(allowed.allowed)
        let stored = try Fixtures.applyPatch(of: allowed, to: object).decode(ActionReview.self)
        #expect(stored.spec.reviewer?.username == Fixtures.controller)
        #expect(stored.spec.onBehalfOf == onBehalfOf)
        #expect(Fixtures.signer.verify(stored) == .verified)
    }

    @Test func updatesAndSubresourcesPassUnchanged() async {
        let object = Fixtures.json(Fixtures.request())
        for review in [
            Fixtures.admissionReview(operation: "UPDATE", object: object, oldObject: object),
            Fixtures.admissionReview(object: object, subResource: "status"),
            Fixtures.admissionReview(operation: "DELETE", object: nil, oldObject: object),
        ] {
            let answer = await handler.mutate(review).answer
            #expect(answer.allowed)
            #expect(answer.patch == nil)
        }
    }

    @Test func aClientsStatusIsIgnoredAsTheAPIServerDropsIt() async throws {
        guard case .object(var members) = Fixtures.json(Fixtures.request()) else { return }
        members["status"] = ["phase": "Granted", "expiresAt": "not a time"]
        let answer = await handler.mutate(Fixtures.admissionReview(object: .object(members))).answer
        #expect(answer.allowed, "\(answer.status?.message ?? "")")
    }

    @Test func undecodableObjectsAreInvalidWithTheField() async {
        var object = Fixtures.json(Fixtures.request())
        if case .object(var members) = object, case .object(var spec)? = members["spec"] {
            spec["duration"] = "fortnight"
            members["spec"] = .object(spec)
            object = .object(members)
        }
        let answer = await handler.mutate(Fixtures.admissionReview(object: object)).answer
        #expect(!answer.allowed)
        #expect(answer.status?.code == 422)
        #expect(answer.status?.message?.hasPrefix("spec.duration: invalid duration \"fortnight\"") == true)
    }
}
