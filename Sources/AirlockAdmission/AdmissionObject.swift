import AirlockAPI
import Foundation
import KubeCore

/// An ActionRequest or ActionReview as the API server sends it, decoded straight into its type
/// by its own `kind` — the fast path of a CREATE: one JSON pass instead of a generic value, a
/// re-encoding and a second decode. Whatever does not decode this way takes the careful path,
/// which names the field at fault.
enum AdmissionObject: Decodable, Sendable {
    case actionRequest(ActionRequest)
    case actionReview(ActionReview)

    private enum CodingKeys: String, CodingKey { case kind }

    init(from decoder: any Decoder) throws {
        let kind = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .kind)
        switch kind {
        case ActionRequest.kind: self = .actionRequest(try ActionRequest(from: decoder))
        case ActionReview.kind: self = .actionReview(try ActionReview(from: decoder))
        default:
            throw DecodingError.dataCorrupted(
                .init(codingPath: [CodingKeys.kind], debugDescription: "not an Airlock kind: \(kind)"))
        }
    }

    var actionRequest: ActionRequest? {
        if case .actionRequest(let request) = self { return request }
        return nil
    }

    var actionReview: ActionReview? {
        if case .actionReview(let review) = self { return review }
        return nil
    }
}

/// An AdmissionReview of a CREATE with its object typed (see ``AdmissionObject``).
struct TypedAdmissionReview: Decodable, Sendable {
    var apiVersion: String
    var kind: String
    var request: Request

    struct Request: Decodable, Sendable {
        var uid: String
        var kind: AdmissionReview.GroupVersionKind
        var resource: AdmissionReview.GroupVersionResource
        var subResource: String?
        var name: String?
        var namespace: String?
        var operation: String
        var userInfo: UserInfo
        var object: AdmissionObject
        var dryRun: Bool?
    }

    /// Decodes `body` when it is a CREATE of an Airlock object that decodes as its type; nil
    /// otherwise (the careful path then decodes it and explains what is wrong).
    static func createOf(_ body: Data) -> (review: AdmissionReview, object: AdmissionObject)? {
        guard let typed = try? KubeJSON.decode(TypedAdmissionReview.self, from: body),
            typed.request.operation == "CREATE", (typed.request.subResource ?? "").isEmpty
        else { return nil }
        let request = typed.request
        let review = AdmissionReview(
            apiVersion: typed.apiVersion, kind: typed.kind,
            request: AdmissionReview.Request(
                uid: request.uid, kind: request.kind, resource: request.resource, subResource: request.subResource,
                name: request.name, namespace: request.namespace, operation: request.operation,
                userInfo: request.userInfo, object: nil, oldObject: nil, dryRun: request.dryRun))
        return (review, request.object)
    }
}
