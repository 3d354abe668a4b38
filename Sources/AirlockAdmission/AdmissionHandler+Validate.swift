import AirlockAPI
import AirlockIdentity
import Foundation
import KubeClient
import KubeCore

extension AdmissionHandler {
    /// The validating webhook.
    ///
    /// - CREATE (only where a configuration still registers it for CREATE: Airlock's own
    ///   registers UPDATE alone, since the controller verifies every identity it acts on): the
    ///   spec is well-formed; the stamped identity verifies and is the caller's (so the mutating
    ///   webhook ran and nothing changed the object after it — for a review, the request
    ///   instance it bound is signed with it); `onBehalfOf` only from the controller.
    /// - UPDATE: the spec is unchanged (metadata — labels, annotations, finalizers — may
    ///   change; status goes through its own subresource, which the webhook does not see).
    /// - Anything else passes.
    public func validate(_ review: AdmissionReview) async -> AdmissionReview {
        AdmissionReview(response: await validateResponse(review))
    }

    /// `typed`: the object already decoded (the fast path of a CREATE); otherwise decoded here.
    func validateResponse(_ review: AdmissionReview, typed: AdmissionObject? = nil) async -> AdmissionReview.Response {
        let request: AdmissionReview.Request
        let kind: Kind
        switch Self.envelope(review) {
        case .failure(let denial): return denial.response
        case .success(let value): (request, kind) = value
        }
        let uid = request.uid
        guard (request.subResource ?? "").isEmpty else { return Self.allow(uid: uid) }
        switch request.operation {
        case "CREATE": return await validateCreate(request, kind: kind, typed: typed)
        case "UPDATE": return validateUpdate(request, kind: kind)
        default: return Self.allow(uid: uid)
        }
    }

    // MARK: UPDATE

    private func validateUpdate(_ request: AdmissionReview.Request, kind: Kind) -> AdmissionReview.Response {
        let uid = request.uid
        guard let object = request.object, object != .null else {
            return Self.badRequest(uid: uid, "malformed AdmissionReview: request.object is missing for UPDATE")
        }
        guard let oldObject = request.oldObject, oldObject != .null else {
            return Self.badRequest(uid: uid, "malformed AdmissionReview: request.oldObject is missing for UPDATE")
        }
        let changed = Self.changedSpecFields(old: oldObject["spec"], new: object["spec"])
        guard changed.isEmpty else {
            let kindName = kind == .actionRequest ? ActionRequest.kind : ActionReview.kind
            return Self.invalid(
                uid: uid,
                [
                    "spec is immutable after creation (changed: \(changed.joined(separator: ", "))); create a new"
                        + " \(kindName) instead"
                ])
        }
        return Self.allow(uid: uid)
    }

    /// The spec fields that differ (`spec.reason`), or `spec` itself when it is not an object
    /// on both sides. Empty when equal.
    static func changedSpecFields(old: JSONValue?, new: JSONValue?) -> [String] {
        let old = old ?? .null
        let new = new ?? .null
        guard old != new else { return [] }
        guard case .object(let oldMembers) = old, case .object(let newMembers) = new else { return ["spec"] }
        return Set(oldMembers.keys).union(newMembers.keys)
            .filter { oldMembers[$0] != newMembers[$0] }
            .sorted()
            .map { "spec.\($0)" }
    }

    // MARK: CREATE

    private func validateCreate(
        _ request: AdmissionReview.Request, kind: Kind, typed: AdmissionObject?
    ) async -> AdmissionReview.Response {
        let uid = request.uid
        let object = request.object ?? .null
        guard typed != nil || object != .null else {
            return Self.badRequest(uid: uid, "malformed AdmissionReview: request.object is missing for CREATE")
        }
        let namespace = request.namespace ?? ""
        let username = request.userInfo.username ?? ""
        switch kind {
        case .actionRequest:
            let decoded = typed?.actionRequest.map(Decoded.object) ?? Self.decodeRequest(object)
            guard case .object(var typed) = decoded else { return Self.invalid(uid: uid, Self.problems(decoded)) }
            let problems = SpecValidation.problems(in: typed.spec)
            guard problems.isEmpty else { return Self.invalid(uid: uid, problems) }
            if (typed.metadata.namespace ?? "").isEmpty { typed.metadata.namespace = namespace }
            if let denial = identityDenial(
                uid: uid, field: "spec.requester", identity: typed.spec.requester, username: username,
                verification: signer.verify(typed))
            {
                return denial
            }
            return Self.allow(uid: uid)

        case .actionReview:
            let decoded = typed?.actionReview.map(Decoded.object) ?? Self.decodeReview(object)
            guard case .object(var typed) = decoded else { return Self.invalid(uid: uid, Self.problems(decoded)) }
            let problems = SpecValidation.problems(in: typed.spec)
            guard problems.isEmpty else { return Self.invalid(uid: uid, problems) }
            if (typed.metadata.namespace ?? "").isEmpty { typed.metadata.namespace = namespace }
            if typed.spec.onBehalfOf != nil && username != controllerUsername {
                return Self.forbidden(uid: uid, onBehalfOfMessage(username: username))
            }
            if let denial = identityDenial(
                uid: uid, field: "spec.reviewer", identity: typed.spec.reviewer, username: username,
                verification: signer.verify(typed))
            {
                return denial
            }
            return Self.allow(uid: uid)
        }
    }

    /// A denial when the stamped identity is not the webhook's stamp of the caller.
    private func identityDenial(
        uid: String, field: String, identity: Identity?, username: String, verification: IdentityVerification
    ) -> AdmissionReview.Response? {
        guard verification.isVerified else {
            return Self.forbidden(
                uid: uid,
                "\(field) is not a verified stamp of Airlock's mutating admission webhook (\(verification.reason):"
                    + " \(verification)); make sure the mutating webhook is registered for this namespace and that"
                    + " nothing changes the spec after it")
        }
        guard identity?.username == username else {
            return Self.forbidden(
                uid: uid, "\(field).username \"\(identity?.username ?? "")\" is not the caller (\(username))")
        }
        return nil
    }

    // MARK: Production lookup

    /// A ``RequestLookup`` that GETs the ActionRequest through `client`, giving up after
    /// `timeout` (the API server waits for the webhook at most `timeoutSeconds`). A request
    /// being deleted counts as gone: no new review binds to it.
    public static func kubernetesLookup(client: KubernetesClient, timeout: Duration = .seconds(3)) -> RequestLookup {
        { namespace, name in
            try await withThrowingTaskGroup(of: String??.self) { group in
                group.addTask {
                    do {
                        let request = try await client.get(ActionRequest.self, name: name, namespace: namespace)
                        return .some(request.metadata.deletionTimestamp == nil ? request.metadata.uid : nil)
                    } catch let error as KubernetesError where error.isNotFound {
                        return .some(nil)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let found = first else {
                    throw AdmissionError(.kubernetes, "looking the ActionRequest up took longer than \(timeout)")
                }
                return found
            }
        }
    }
}
