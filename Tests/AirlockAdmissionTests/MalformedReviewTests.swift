import AirlockAPI
import Foundation
import KubeCore
import Testing

@testable import AirlockAdmission

@Suite struct MalformedReviewTests {
    let handler = Fixtures.handler()

    func answer(_ body: String, webhook: AdmissionHandler.Webhook = .mutating) async throws -> (Int, AdmissionReview) {
        let answer = await handler.handle(Data(body.utf8), webhook: webhook)
        let review = try KubeJSON.decode(AdmissionReview.self, from: answer.body)
        #expect(review.apiVersion == "admission.k8s.io/v1")
        #expect(review.kind == "AdmissionReview")
        #expect(review.response?.allowed == false)
        return (answer.status, review)
    }

    @Test(arguments: AdmissionHandler.Webhook.allCases)
    func notJSONIsHTTP400(_ webhook: AdmissionHandler.Webhook) async throws {
        let (status, review) = try await answer("{not json", webhook: webhook)
        #expect(status == 400)
        #expect(review.response?.uid == "")
        #expect(review.response?.status?.code == 400)
        #expect(review.response?.status?.message?.hasPrefix("malformed AdmissionReview: not JSON") == true)
    }

    /// Found by fuzzing (issue 14): an operation no API server sends was allowed by both
    /// webhooks ("anything else passes"), a no-op patch-free allow for a forged review.
    @Test(arguments: AdmissionHandler.Webhook.allCases)
    func anUnknownOperationIsRefused(_ webhook: AdmissionHandler.Webhook) async throws {
        for operation in ["CREAPE", "create", "", "PATCH"] {
            let review = Fixtures.admissionReview(
                operation: operation, object: Fixtures.json(Fixtures.request()))
            let body = String(decoding: try KubeJSON.encode(review), as: UTF8.self)
            let (status, answer) = try await answer(body, webhook: webhook)
            #expect(status == 200)
            #expect(answer.response?.uid == review.request?.uid)
            #expect(answer.response?.status?.code == 400)
            #expect(answer.response?.status?.message?.contains("is not one of CREATE, UPDATE, DELETE, CONNECT") == true)
        }
    }

    /// Found by fuzzing (issue 14): 500 levels of nesting in a field (what the decoder still
    /// accepts) took 2.5 s to decode; now refused before decoding.
    @Test(arguments: AdmissionHandler.Webhook.allCases)
    func deepNestingIsRefusedBeforeDecoding(_ webhook: AdmissionHandler.Webhook) async throws {
        let nested = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        let review = Fixtures.admissionReview(object: Fixtures.json(Fixtures.request()))
        var body = String(decoding: try KubeJSON.encode(review), as: UTF8.self)
        body = body.replacingOccurrences(of: "\"INC-42\"", with: nested)
        #expect(KubeJSON.nestingDepth(of: Array(body.utf8)) > 500)
        let started = ContinuousClock.now
        let (status, answer) = try await answer(body, webhook: webhook)
        #expect(ContinuousClock.now - started < .milliseconds(500))
        #expect(status == 400)
        #expect(answer.response?.status?.message?.contains("levels deep (at most 64)") == true)
    }

    @Test func withoutRequestOrUIDIsHTTP400() async throws {
        for body in [
            #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#,
            #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":""}}"#,
            "[]", "null",
        ] {
            let (status, review) = try await answer(body)
            #expect(status == 400, "\(body)")
            #expect(review.response?.status?.code == 400)
        }
        let (_, noRequest) = try await answer(#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#)
        #expect(noRequest.response?.status?.message == "malformed AdmissionReview: request is missing")
    }

    @Test func aReadableUIDGetsADenialForIt() async throws {
        let body =
            #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"abc","operation":"CREATE"}}"#
        let (status, review) = try await answer(body)
        #expect(status == 200)
        #expect(review.response?.uid == "abc")
        #expect(review.response?.status?.code == 400)
        #expect(review.response?.status?.message == "malformed AdmissionReview: request.kind is required")
    }

    @Test(arguments: AdmissionHandler.Webhook.allCases)
    func wrongKindIsABadRequest(_ webhook: AdmissionHandler.Webhook) async throws {
        let review = Fixtures.admissionReview(kind: "Pod", group: "", object: ["metadata": ["name": "p"]])
        let body = String(decoding: try KubeJSON.encode(review), as: UTF8.self)
        let (status, answer) = try await answer(body, webhook: webhook)
        #expect(status == 200)
        #expect(answer.response?.status?.code == 400)
        #expect(answer.response?.status?.message?.hasPrefix("unexpected kind Pod (core/v1alpha1)") == true)
    }

    @Test func anotherAdmissionVersionIsABadRequest() async throws {
        var review = Fixtures.admissionReview(object: Fixtures.json(Fixtures.request()))
        review.apiVersion = "admission.k8s.io/v1beta1"
        let body = String(decoding: try KubeJSON.encode(review), as: UTF8.self)
        let (_, answer) = try await answer(body)
        #expect(answer.response?.status?.code == 400)
        #expect(answer.response?.status?.message?.contains("admission.k8s.io/v1beta1") == true)
    }

    @Test(arguments: AdmissionHandler.Webhook.allCases)
    func missingObjectIsABadRequest(_ webhook: AdmissionHandler.Webhook) async throws {
        let review = Fixtures.admissionReview(object: nil)
        let body = String(decoding: try KubeJSON.encode(review), as: UTF8.self)
        let (status, answer) = try await answer(body, webhook: webhook)
        #expect(status == 200)
        #expect(answer.response?.status?.code == 400)
        #expect(answer.response?.status?.message == "malformed AdmissionReview: request.object is missing for CREATE")
    }

    @Test func missingOldObjectOnUpdateIsABadRequest() async throws {
        let review = Fixtures.admissionReview(operation: "UPDATE", object: Fixtures.json(Fixtures.request()))
        let answer = await handler.validate(review).answer
        #expect(answer.status?.code == 400)
        #expect(answer.status?.message == "malformed AdmissionReview: request.oldObject is missing for UPDATE")
    }

    @Test func objectsOfTheWrongShapeAreNamed() async throws {
        for (object, message) in [
            (JSONValue.string("x"), "request.object must be an object"),
            (["metadata": ["name": "a"]], "spec is required"),
            (["metadata": ["name": "a"], "spec": ["reason": 5, "duration": "1h"]], "spec.reason must be a string"),
        ] as [(JSONValue, String)] {
            let answer = await handler.mutate(Fixtures.admissionReview(object: object)).answer
            #expect(!answer.allowed)
            #expect(answer.status?.message == message)
        }
    }

    @Test func missingUsernameOrNamespaceIsABadRequest() async {
        let object = Fixtures.json(Fixtures.request())
        let anonymous = await handler.mutate(
            Fixtures.admissionReview(user: UserInfo(username: nil), object: object)
        ).answer
        #expect(anonymous.status?.message == "malformed AdmissionReview: request.userInfo.username is missing")
        let clusterScoped = await handler.mutate(Fixtures.admissionReview(namespace: nil, object: object)).answer
        #expect(clusterScoped.status?.code == 400)
    }
}
