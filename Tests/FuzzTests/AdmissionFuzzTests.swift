import AirlockAPI
import AirlockAdmission
import AirlockIdentity
import Foundation
import KubeCore
import Testing

/// The admission webhook's handler (both webhooks) under hostile AdmissionReviews: corpus
/// reviews — and requests and reviews correctly stamped, so validation is reached — mutated
/// in their structure or their bytes.
///
/// Must hold for every input: no crash or hang; HTTP 200 with an AdmissionReview answering the
/// request's uid, or 400 (for no uid) when none can be read, always a JSON AdmissionReview
/// with a response; a body that is no AdmissionReview, or whose object is not the kind it claims,
/// is never allowed (the API server would write nothing); an allowed CREATE stamps exactly the
/// caller's identity (mutating) or carries a signed identity that is the caller's (validating);
/// only the controller may create reviews on someone's behalf.
extension FuzzSuite {
    static let controller = "system:serviceaccount:airlock-system:airlock"

    @Test func admissionReviews() async throws {
        let signer = try IdentitySigner(key: Array(repeating: UInt8(7), count: 32))
        let seeds = try Corpus.json("admission") + Self.stampedSeeds(signer)
        try #require(seeds.count >= 9, "the admission corpus is missing")
        let handler = Self.admissionHandler(signer)
        try await Fuzzer("admission-webhook").run { _, random in
            let seed = random.pick(seeds)
            let body: Data
            if random.chance(70) {
                body = (try? KubeJSON.encode(JSONMutator.mutate(seed, &random))) ?? Data()
            } else {
                body = Data(ByteMutator.mutate(Array((try? KubeJSON.encode(seed)) ?? Data()), &random))
            }
            let webhook = random.pick(AdmissionHandler.Webhook.allCases)
            let answer = await handler.handle(body, webhook: webhook)
            return (body, Self.judge(answer, body: body, webhook: webhook, signer: signer))
        }
    }

    /// Replays every kept input (`Corpus/admission-regressions`: raw bodies) on both webhooks.
    @Test func admissionRegressions() async throws {
        let signer = try IdentitySigner(key: Array(repeating: UInt8(7), count: 32))
        for file in try Corpus.files("admission-regressions") {
            for webhook in AdmissionHandler.Webhook.allCases {
                let answer = await Self.admissionHandler(signer).handle(file.data, webhook: webhook)
                if case .violated(let problem) = Self.judge(answer, body: file.data, webhook: webhook, signer: signer) {
                    Issue.record("\(file.name) (\(webhook)): \(problem)")
                }
            }
        }
    }

    static func admissionHandler(_ signer: IdentitySigner) -> AdmissionHandler {
        AdmissionHandler(
            signer: signer, controllerUsername: controller,
            lookUpRequest: { namespace, name in namespace == "team-a" && name == "db-restart" ? "uid-db-restart" : nil }
        )
    }

    /// CREATE reviews of a request and a review stamped as the webhook stamps them, as the
    /// validating webhook sees them.
    static func stampedSeeds(_ signer: IdentitySigner) throws -> [JSONValue] {
        let alice = Identity(username: "alice", uid: "u-alice", groups: ["dev", "system:authenticated"])
        let request = signer.stamp(
            ActionRequest(
                metadata: ObjectMeta(name: "db-restart", namespace: "team-a"),
                spec: ActionRequestSpec(
                    reason: "restart", duration: KubeDuration(seconds: 900),
                    permissions: [
                        PermissionRule(namespace: "prod", apiGroups: [""], resources: ["pods"], verbs: ["delete"])
                    ])), requester: alice)
        var review = ActionReview(
            metadata: ObjectMeta(name: "approve-1", namespace: "team-a"),
            spec: ActionReviewSpec(request: "db-restart", decision: .approve, comment: "ok"))
        review.spec.requestUID = "uid-db-restart"
        review = signer.stamp(review, reviewer: Identity(username: "bob", uid: "u-bob", groups: ["reviewers"]))
        func wrap(_ object: some Encodable, kind: String, user: Identity) throws -> JSONValue {
            let userInfo: JSONValue = [
                "username": .string(user.username), "uid": .string(user.uid ?? ""),
                "groups": .array((user.groups ?? []).map(JSONValue.string)),
            ]
            return [
                "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                "request": [
                    "uid": "5d6e7f80-0000-4000-8000-000000000001",
                    "kind": ["group": "airlock.dev", "version": "v1alpha1", "kind": .string(kind)],
                    "resource": [
                        "group": "airlock.dev", "version": "v1alpha1", "resource": .string(kind.lowercased() + "s"),
                    ],
                    "operation": "CREATE", "namespace": "team-a", "userInfo": userInfo,
                    "object": try KubeJSON.decode(JSONValue.self, from: KubeJSON.encode(object)),
                ],
            ]
        }
        return [
            try wrap(request, kind: "ActionRequest", user: alice),
            try wrap(
                review, kind: "ActionReview", user: Identity(username: "bob", uid: "u-bob", groups: ["reviewers"])),
        ]
    }

    static func judge(
        _ answer: AdmissionHandler.HTTPAnswer, body: Data, webhook: AdmissionHandler.Webhook, signer: IdentitySigner
    ) -> Fuzzer.Verdict {
        guard let decoded = try? KubeJSON.decode(AdmissionReview.self, from: answer.body),
            decoded.apiVersion == "admission.k8s.io/v1", decoded.kind == "AdmissionReview",
            let response = decoded.response
        else { return .violated("the answer is no AdmissionReview with a response") }
        if answer.status == 400, !response.allowed, response.uid.isEmpty { return .passed("HTTP 400") }
        guard let input = try? KubeJSON.decode(JSONValue.self, from: body) else {
            // Not JSON by a strict reading (say, a raw control character in a key the typed
            // decoder skips): it may be answered for its uid, but never allowed.
            return response.allowed ? .violated("allowed a body that is not valid JSON") : .passed("invalid denied")
        }
        let uid = input["request"]?["uid"]?.stringValue ?? ""
        guard answer.status == 200, !uid.isEmpty, response.uid == uid else {
            return .violated("HTTP \(answer.status) answering uid '\(response.uid)' for request uid '\(uid)'")
        }
        guard response.allowed else { return .passed("\(webhook) denied") }

        // Allowed: the input must be an AdmissionReview whose object is what it claims.
        guard let review = try? KubeJSON.decode(AdmissionReview.self, from: body), let request = review.request else {
            return .violated("allowed a body that is no AdmissionReview")
        }
        guard ["CREATE", "UPDATE", "DELETE", "CONNECT"].contains(request.operation) else {
            return .violated("allowed the operation \(request.operation), which no API server sends")
        }
        let creates = request.operation == "CREATE" && (request.subResource ?? "").isEmpty
        guard creates || (webhook == .validating && request.operation == "UPDATE") else {
            return .passed("\(webhook) allowed \(request.operation)")
        }
        let caller = request.userInfo.username ?? ""
        switch request.kind.kind {
        case "ActionRequest":
            guard var object = request.object.flatMap({ try? $0.decoded(as: ActionRequest.self) }) else {
                return .violated("allowed \(request.operation) of an object that is no ActionRequest")
            }
            // The API server sets the namespace from the URL before admission.
            object.metadata.namespace = object.metadata.namespace ?? request.namespace
            if webhook == .mutating {
                guard patched(response, "/spec/requester")?["username"]?.stringValue == caller else {
                    return .violated("allowed a CREATE without stamping the caller \(caller) as requester")
                }
            } else if creates, signer.verify(object) != .verified || object.spec.requester?.username != caller {
                return .violated("validated a CREATE whose requester is not the caller's signed identity")
            }
        case "ActionReview":
            guard var object = request.object.flatMap({ try? $0.decoded(as: ActionReview.self) }) else {
                return .violated("allowed \(request.operation) of an object that is no ActionReview")
            }
            object.metadata.namespace = object.metadata.namespace ?? request.namespace
            if object.spec.onBehalfOf != nil, caller != controller, creates {
                return .violated("allowed \(caller) to review on someone's behalf")
            }
            if webhook == .mutating {
                guard patched(response, "/spec/reviewer")?["username"]?.stringValue == caller else {
                    return .violated("allowed a CREATE without stamping the caller \(caller) as reviewer")
                }
            } else if creates, signer.verify(object) != .verified || object.spec.reviewer?.username != caller {
                return .violated("validated a CREATE whose reviewer is not the caller's signed identity")
            }
        default:
            return .violated("allowed \(request.operation) of kind \(request.kind.kind)")
        }
        return .passed("\(webhook) allowed \(request.operation)")
    }

    /// The value the response's JSON patch writes at `path`.
    static func patched(_ response: AdmissionReview.Response, _ path: String) -> JSONValue? {
        guard let patch = response.patch, let data = Data(base64Encoded: patch),
            let operations = try? KubeJSON.decode(JSONValue.self, from: data).items
        else { return nil }
        return operations.last { $0["path"]?.stringValue == path }?["value"]
    }
}
