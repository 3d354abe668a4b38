import Foundation

// Hand-written JSON for what an admission review of a CREATE carries besides its object (see
// ``JSONReadable``): the admission webhook reads two per ActionRequest.

extension UserInfo: JSONReadable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var username: String??
        var uid: String??
        var groups: [String]??
        var extra: [String: [String]]??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "username": try username.once(reader.readIfPresent())
            case "uid": try uid.once(reader.readIfPresent())
            case "groups": try groups.once(reader.readIfPresent())
            case "extra": try extra.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        self.username = username ?? nil
        self.uid = uid ?? nil
        self.groups = groups ?? nil
        self.extra = extra ?? nil
    }
}

extension AdmissionReview.GroupVersionKind: JSONReadable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var group: String?
        var version: String?
        var kind: String?
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "group": try group.once(reader.read())
            case "version": try version.once(reader.read())
            case "kind": try kind.once(reader.read())
            default: try reader.skip(field)
            }
        }
        guard let group, let version, let kind else { throw JSONReader.Unexpected() }
        self.group = group
        self.version = version
        self.kind = kind
    }
}

extension AdmissionReview.GroupVersionResource: JSONReadable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var group: String?
        var version: String?
        var resource: String?
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "group": try group.once(reader.read())
            case "version": try version.once(reader.read())
            case "resource": try resource.once(reader.read())
            default: try reader.skip(field)
            }
        }
        guard let group, let version, let resource else { throw JSONReader.Unexpected() }
        self.group = group
        self.version = version
        self.resource = resource
    }
}
