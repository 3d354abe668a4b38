import AirlockAPI
import AirlockIdentity
import Foundation
import KubeCore
import Testing

@testable import AirlockAdmission

/// Shared test data: a signer with a fixed key, sample objects, AdmissionReviews as the API
/// server sends them, and a JSON-patch applier to see what the API server would store.
enum Fixtures {
    static let key = Array(repeating: UInt8(7), count: 32)
    static let signer = try! IdentitySigner(key: key)
    static let controller = "system:serviceaccount:airlock-system:airlock"
    static let fixedNow = Date(timeIntervalSince1970: 1_750_000_000)

    static let alice = UserInfo(username: "alice", uid: "u-alice", groups: ["dev", "system:authenticated"])
    static let bob = UserInfo(username: "bob", uid: "u-bob", groups: ["reviewers", "system:authenticated"])
    static let controllerUser = UserInfo(username: controller, uid: "u-ctl", groups: ["system:serviceaccounts"])

    static func handler(
        existing: Set<String> = ["db-restart"], lookupError: (any Error & Sendable)? = nil
    ) -> AdmissionHandler {
        AdmissionHandler(
            signer: signer, controllerUsername: controller,
            lookUpRequest: { namespace, name in
                if let lookupError { throw lookupError }
                return namespace == "team-a" && existing.contains(name) ? "uid-\(name)" : nil
            },
            now: { fixedNow }, nameSuffix: { "x7k2q" })
    }

    static func request(
        name: String? = "db-restart", namespace: String? = "team-a", reason: String = "restart the stuck primary",
        duration: Int64 = 900,
        permissions: [PermissionRule]? = [
            PermissionRule(
                namespace: "prod", apiGroups: [""], resources: ["pods"], verbs: ["delete"], resourceNames: ["db-0"])
        ], requester: Identity? = nil
    ) -> ActionRequest {
        ActionRequest(
            metadata: ObjectMeta(name: name, namespace: namespace),
            spec: ActionRequestSpec(
                reason: reason, ticket: "INC-42", duration: KubeDuration(seconds: duration), permissions: permissions,
                requester: requester))
    }

    static func review(
        name: String? = "approve-1", namespace: String? = "team-a", request: String = "db-restart",
        decision: ReviewDecision = .approve, onBehalfOf: OnBehalfOf? = nil, reviewer: Identity? = nil
    ) -> ActionReview {
        ActionReview(
            metadata: ObjectMeta(name: name, namespace: namespace),
            spec: ActionReviewSpec(
                request: request, decision: decision, comment: "looks right", reviewer: reviewer, onBehalfOf: onBehalfOf
            ))
    }

    static func json(_ value: some Encodable) -> JSONValue {
        try! JSONValue.of(value)
    }

    /// An AdmissionReview as the API server sends it.
    static func admissionReview(
        uid: String = "3b1f7c2e-0000-4000-8000-000000000001", kind: String = "ActionRequest",
        group: String = "airlock.dev", operation: String = "CREATE", namespace: String? = "team-a",
        user: UserInfo = alice, object: JSONValue?, oldObject: JSONValue? = nil, subResource: String? = nil
    ) -> AdmissionReview {
        var request: [String: JSONValue] = [
            "uid": .string(uid),
            "kind": ["group": .string(group), "version": "v1alpha1", "kind": .string(kind)],
            "resource": [
                "group": .string(group), "version": "v1alpha1", "resource": .string(kind.lowercased() + "s"),
            ],
            "operation": .string(operation),
            "userInfo": json(user),
        ]
        if let namespace { request["namespace"] = .string(namespace) }
        if let object { request["object"] = object }
        if let oldObject { request["oldObject"] = oldObject }
        if let subResource { request["subResource"] = .string(subResource) }
        let review: JSONValue = [
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": .object(request),
        ]
        return try! review.decode(AdmissionReview.self)
    }

    /// Applies the response's JSON patch (only `add` of object members, all the webhook
    /// writes) to `object`.
    static func applyPatch(of response: AdmissionReview.Response, to object: JSONValue) throws -> JSONValue {
        guard let patch = response.patch else { return object }
        #expect(response.patchType == "JSONPatch")
        let data = try #require(Data(base64Encoded: patch))
        let operations = try KubeJSON.decode([JSONValue].self, from: data)
        var result = object
        for operation in operations {
            #expect(operation["op"] == "add")
            let path = try #require(operation["path"]?.stringValue).split(separator: "/").map(String.init)
            result = set(result, path: path[...], value: try #require(operation["value"]))
        }
        return result
    }

    private static func set(_ object: JSONValue, path: ArraySlice<String>, value: JSONValue) -> JSONValue {
        guard let key = path.first else { return value }
        guard case .object(var members) = object else { return object }
        members[key] = set(members[key] ?? .object([:]), path: path.dropFirst(), value: value)
        return .object(members)
    }
}

extension AdmissionReview {
    /// The response, which every answer has.
    var answer: AdmissionReview.Response { response! }
}
