import AirlockAPI
import AirlockIdentity
import Foundation
import KubeCore

extension AdmissionHandler {
    /// The mutating webhook: on CREATE, refuses a malformed spec, then stamps and signs the
    /// caller's identity (and names objects created with `generateName`; binds a review to its
    /// request instance). It is the only webhook a CREATE meets: the controller verifies the
    /// signature whenever it acts. Other operations and subresources pass unchanged (the
    /// webhook is registered for CREATE only).
    public func mutate(_ review: AdmissionReview) async -> AdmissionReview {
        AdmissionReview(response: await mutateResponse(review))
    }

    /// `typed`: the object already decoded (the fast path); otherwise it is decoded here.
    func mutateResponse(_ review: AdmissionReview, typed: AdmissionObject? = nil) async -> AdmissionReview.Response {
        let request: AdmissionReview.Request
        let kind: Kind
        switch Self.envelope(review) {
        case .failure(let denial): return denial.response
        case .success(let value): (request, kind) = value
        }
        let uid = request.uid
        guard request.operation == "CREATE", (request.subResource ?? "").isEmpty else { return Self.allow(uid: uid) }
        let object = request.object ?? .null
        guard typed != nil || object != .null else {
            return Self.badRequest(uid: uid, "malformed AdmissionReview: request.object is missing for CREATE")
        }
        guard let username = request.userInfo.username, !username.isEmpty else {
            return Self.badRequest(uid: uid, "malformed AdmissionReview: request.userInfo.username is missing")
        }
        guard let namespace = request.namespace, !namespace.isEmpty else {
            return Self.badRequest(
                uid: uid, "malformed AdmissionReview: request.namespace is missing (\(request.kind.kind) is namespaced)"
            )
        }
        let identity = Identity(userInfo: request.userInfo)

        switch kind {
        case .actionRequest:
            let decoded = typed?.actionRequest.map(Decoded.object) ?? Self.decodeRequest(object)
            guard case .object(var typed) = decoded else { return Self.invalid(uid: uid, Self.problems(decoded)) }
            let problems = SpecValidation.problems(in: typed.spec)
            guard problems.isEmpty else { return Self.invalid(uid: uid, problems) }
            let naming: Naming
            switch name(of: typed.metadata, uid: uid) {
            case .failure(let denial): return denial.response
            case .success(let value): naming = value
            }
            typed.metadata.namespace = namespace
            typed.metadata.name = naming.name
            let stamped = signer.stamp(typed, requester: identity, now: now())
            return patchResponse(
                uid: uid, naming: naming, path: "/spec/requester", identity: stamped.spec.requester,
                finalizers: typed.metadata.finalizers)

        case .actionReview:
            let decoded = typed?.actionReview.map(Decoded.object) ?? Self.decodeReview(object)
            guard case .object(var typed) = decoded else { return Self.invalid(uid: uid, Self.problems(decoded)) }
            let problems = SpecValidation.problems(in: typed.spec)
            guard problems.isEmpty else { return Self.invalid(uid: uid, problems) }
            if typed.spec.onBehalfOf != nil && username != controllerUsername {
                return Self.forbidden(uid: uid, onBehalfOfMessage(username: username))
            }
            let naming: Naming
            switch name(of: typed.metadata, uid: uid) {
            case .failure(let denial): return denial.response
            case .success(let value): naming = value
            }
            typed.metadata.namespace = namespace
            typed.metadata.name = naming.name
            let requestUID: String
            switch await instance(of: typed.spec.request, namespace: namespace, uid: uid) {
            case .failure(let denial): return denial.response
            case .success(let value): requestUID = value
            }
            typed.spec.requestUID = requestUID
            let stamped = signer.stamp(typed, reviewer: identity, now: now())
            return reviewPatchResponse(
                uid: uid, naming: naming, review: stamped, requestUID: requestUID, metadata: typed.metadata)
        }
    }

    /// The uid of the request a review names, or the denial when there is none.
    private func instance(of request: String, namespace: String, uid: String) async -> Result<String, DenialResponse> {
        guard !request.isEmpty else {
            return .failure(DenialResponse(Self.invalid(uid: uid, ["spec.request must not be empty"])))
        }
        do {
            guard let found = try await lookUpRequest(namespace, request), !found.isEmpty else {
                return .failure(
                    DenialResponse(
                        Self.invalid(
                            uid: uid,
                            [
                                "spec.request: ActionRequest \"\(request)\" not found in namespace \"\(namespace)\""
                                    + " (a review must be in the same namespace as its request)"
                            ])))
            }
            return .success(found)
        } catch {
            return .failure(
                DenialResponse(
                    Self.internalError(
                        uid: uid,
                        "could not look up ActionRequest \"\(request)\" in namespace \"\(namespace)\": \(error)")))
        }
    }

    /// The review's patch: its name (if generated), the request instance (spec, label,
    /// ownerReference) and the signed reviewer.
    private func reviewPatchResponse(
        uid: String, naming: Naming, review: ActionReview, requestUID: String, metadata: ObjectMeta
    ) -> AdmissionReview.Response {
        do {
            var patch: [JSONPatchOperation] = []
            if naming.generated { patch.append(.add("/metadata/name", .string(naming.name))) }
            patch.append(.add("/spec/requestUID", .string(requestUID)))
            patch.append(.add("/spec/reviewer", Self.json(review.spec.reviewer)))
            let label = AirlockConstants.Label.requestUID
            if metadata.labels == nil {
                patch.append(.add("/metadata/labels", [.init(stringLiteral: label): .string(requestUID)]))
            } else {
                patch.append(
                    .add("/metadata/labels/\(label.replacingOccurrences(of: "/", with: "~1"))", .string(requestUID)))
            }
            let owner = OwnerReference(
                apiVersion: ActionRequest.apiVersion, kind: ActionRequest.kind, name: review.spec.request,
                uid: requestUID, controller: false, blockOwnerDeletion: nil)
            let ownerValue = try JSONValue.of(owner)
            patch.append(
                metadata.ownerReferences == nil
                    ? .add("/metadata/ownerReferences", [ownerValue]) : .add("/metadata/ownerReferences/-", ownerValue))
            return try AdmissionReview.Response.allow(uid: uid, patch: patch)
        } catch {
            return Self.internalError(uid: uid, "could not encode the review patch: \(error)")
        }
    }

    func onBehalfOfMessage(username: String) -> String {
        "spec.onBehalfOf may be set only by the Airlock controller (\(controllerUsername)), not by \(username);"
            + " remove it to review as yourself"
    }

    static func problems<T>(_ decoded: Decoded<T>) -> [String] {
        if case .problems(let problems) = decoded { return problems }
        return []
    }

    /// The object's final name, and whether the webhook chose it.
    struct Naming {
        var name: String
        var generated: Bool
    }

    private func name(of metadata: ObjectMeta, uid: String) -> Result<Naming, DenialResponse> {
        if let name = metadata.name, !name.isEmpty { return .success(Naming(name: name, generated: false)) }
        if let prefix = metadata.generateName, !prefix.isEmpty {
            return .success(Naming(name: generatedName(from: prefix), generated: true))
        }
        return .failure(DenialResponse(Self.invalid(uid: uid, ["metadata.name or metadata.generateName is required"])))
    }

    /// `finalizers`: an ActionRequest's current finalizers; the revoke-grants finalizer is added
    /// at creation, which saves the controller a write (it still adds it if missing).
    private func patchResponse(
        uid: String, naming: Naming, path: String, identity: Identity?, finalizers: [String]? = nil
    ) -> AdmissionReview.Response {
        do {
            var patch: [JSONPatchOperation] = []
            if naming.generated { patch.append(.add("/metadata/name", .string(naming.name))) }
            patch.append(.add(path, Self.json(identity)))
            if path == "/spec/requester", !(finalizers ?? []).contains(AirlockConstants.revokeGrantsFinalizer) {
                let finalizer = JSONValue.string(AirlockConstants.revokeGrantsFinalizer)
                patch.append(
                    finalizers == nil
                        ? .add("/metadata/finalizers", [finalizer]) : .add("/metadata/finalizers/-", finalizer))
            }
            return try AdmissionReview.Response.allow(uid: uid, patch: patch)
        } catch {
            return Self.internalError(uid: uid, "could not encode the identity patch: \(error)")
        }
    }
}

extension AdmissionHandler {
    /// An identity as patch JSON (built directly: this runs on every create).
    static func json(_ identity: Identity?) -> JSONValue {
        guard let identity else { return .null }
        var members: [String: JSONValue] = ["username": .string(identity.username)]
        if let uid = identity.uid { members["uid"] = .string(uid) }
        if let groups = identity.groups { members["groups"] = .array(groups.map(JSONValue.string)) }
        if let signature = identity.signature { members["signature"] = .string(signature) }
        return .object(members)
    }
}
