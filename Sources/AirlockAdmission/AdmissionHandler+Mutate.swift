import AirlockAPI
import AirlockIdentity
import Foundation
import KubeCore

extension AdmissionHandler {
    /// The mutating webhook: on CREATE, stamps and signs the caller's identity (and names
    /// objects created with `generateName`). Other operations and subresources pass
    /// unchanged (the webhook is registered for CREATE only).
    public func mutate(_ review: AdmissionReview) -> AdmissionReview {
        AdmissionReview(response: mutateResponse(review))
    }

    func mutateResponse(_ review: AdmissionReview) -> AdmissionReview.Response {
        let request: AdmissionReview.Request
        let kind: Kind
        switch Self.envelope(review) {
        case .failure(let denial): return denial.response
        case .success(let value): (request, kind) = value
        }
        let uid = request.uid
        guard request.operation == "CREATE", (request.subResource ?? "").isEmpty else { return Self.allow(uid: uid) }
        guard let object = request.object, object != .null else {
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
            let decoded = Self.decodeRequest(object)
            guard case .object(var typed) = decoded else { return Self.invalid(uid: uid, Self.problems(decoded)) }
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
            let decoded = Self.decodeReview(object)
            guard case .object(var typed) = decoded else { return Self.invalid(uid: uid, Self.problems(decoded)) }
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
            let stamped = signer.stamp(typed, reviewer: identity, now: now())
            return patchResponse(uid: uid, naming: naming, path: "/spec/reviewer", identity: stamped.spec.reviewer)
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
            patch.append(.add(path, try JSONValue.of(identity)))
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
