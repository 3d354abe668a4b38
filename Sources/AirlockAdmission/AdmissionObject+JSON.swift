import AirlockAPI
import KubeCore

// Hand-written JSON for a CREATE's admission review of an ActionRequest (see ``JSONReadable``):
// the same values as its `Codable` conformance. An ActionReview, or anything unexpected, is left
// to `Codable`.

extension TypedAdmissionReview: JSONReadable {
    init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var apiVersion: String?
        var kind: String?
        var request: Request?
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "apiVersion": try apiVersion.once(reader.read())
            case "kind": try kind.once(reader.read())
            case "request": try request.once(reader.read())
            default: try reader.skip(field)
            }
        }
        guard let apiVersion, let kind, let request else { throw JSONReader.Unexpected() }
        self.apiVersion = apiVersion
        self.kind = kind
        self.request = request
    }
}

extension TypedAdmissionReview.Request: JSONReadable {
    init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var uid: String?
        var kind: AdmissionReview.GroupVersionKind?
        var resource: AdmissionReview.GroupVersionResource?
        var subResource: String??
        var name: String??
        var namespace: String??
        var operation: String?
        var userInfo: UserInfo?
        var object: AdmissionObject?
        var dryRun: Bool??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "uid": try uid.once(reader.read())
            case "kind": try kind.once(reader.read())
            case "resource": try resource.once(reader.read())
            case "subResource": try subResource.once(reader.readIfPresent())
            case "name": try name.once(reader.readIfPresent())
            case "namespace": try namespace.once(reader.readIfPresent())
            case "operation": try operation.once(reader.read())
            case "userInfo": try userInfo.once(reader.read())
            case "object": try object.once(reader.read())
            case "dryRun": try dryRun.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        guard let uid, let kind, let resource, let operation, let userInfo, let object else {
            throw JSONReader.Unexpected()
        }
        self.uid = uid
        self.kind = kind
        self.resource = resource
        self.subResource = subResource ?? nil
        self.name = name ?? nil
        self.namespace = namespace ?? nil
        self.operation = operation
        self.userInfo = userInfo
        self.object = object
        self.dryRun = dryRun ?? nil
    }
}

extension AdmissionObject: JSONReadable {
    /// An ActionRequest whose `kind` says so; anything else is left to `Codable`.
    init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        let request = try ActionRequest(json: &reader)
        guard request.kind == ActionRequest.kind else { throw JSONReader.Unexpected() }
        self = .actionRequest(request)
    }
}
