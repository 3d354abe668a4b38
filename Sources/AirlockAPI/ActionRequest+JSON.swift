import Foundation
import KubeCore

// Hand-written JSON for ActionRequest, which the controller reads from every watch frame and
// admission review and writes with every status update: the same values and bytes as its
// `Codable` conformance (``JSONReadable``, ``JSONWritable``), at a fraction of the cost.
// `ActionRequestJSONTests` holds them to that.

extension ActionRequestPhase: JSONReadable, JSONWritable {}
extension CredentialMode: JSONReadable, JSONWritable {}
extension DecisionOutcome: JSONReadable, JSONWritable {}
extension ReviewDecision: JSONReadable, JSONWritable {}
extension TargetRoleRef.Kind: JSONReadable, JSONWritable {}

extension ActionRequest: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var apiVersion: String??
        var kind: String??
        var metadata: ObjectMeta?
        var spec: ActionRequestSpec?
        var status: ActionRequestStatus??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "apiVersion": try apiVersion.once(reader.readIfPresent())
            case "kind": try kind.once(reader.readIfPresent())
            case "metadata": try metadata.once(reader.read())
            case "spec": try spec.once(reader.read())
            case "status": try status.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        guard let metadata, let spec else { throw JSONReader.Unexpected() }
        self.apiVersion = apiVersion ?? nil
        self.kind = kind ?? nil
        self.metadata = metadata
        self.spec = spec
        self.status = status ?? nil
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("apiVersion", apiVersion)
            writer.member("kind", kind)
            writer.member("metadata", metadata)
            writer.member("spec", spec)
            writer.member("status", status)
        }
    }
}

extension ActionRequestSpec: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var reason: String?
        var ticket: String??
        var duration: KubeDuration?
        var permissions: [PermissionRule]??
        var roleRef: TargetRoleRef??
        var credential: CredentialMode??
        var subject: RBACSubject??
        var requester: Identity??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "reason": try reason.once(reader.read())
            case "ticket": try ticket.once(reader.readIfPresent())
            case "duration": try duration.once(reader.read())
            case "permissions": try permissions.once(reader.readIfPresent())
            case "roleRef": try roleRef.once(reader.readIfPresent())
            case "credential": try credential.once(reader.readIfPresent())
            case "subject": try subject.once(reader.readIfPresent())
            case "requester": try requester.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        guard let reason, let duration else { throw JSONReader.Unexpected() }
        self.reason = reason
        self.ticket = ticket ?? nil
        self.duration = duration
        self.permissions = permissions ?? nil
        self.roleRef = roleRef ?? nil
        self.credential = credential ?? nil
        self.subject = subject ?? nil
        self.requester = requester ?? nil
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("credential", credential)
            writer.member("duration", duration)
            writer.member("permissions", permissions)
            writer.member("reason", reason)
            writer.member("requester", requester)
            writer.member("roleRef", roleRef)
            writer.member("subject", subject)
            writer.member("ticket", ticket)
        }
    }
}

extension PermissionRule: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var namespace: String??
        var apiGroups: [String]?
        var resources: [String]?
        var verbs: [String]?
        var resourceNames: [String]??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "namespace": try namespace.once(reader.readIfPresent())
            case "apiGroups": try apiGroups.once(reader.read())
            case "resources": try resources.once(reader.read())
            case "verbs": try verbs.once(reader.read())
            case "resourceNames": try resourceNames.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        guard let apiGroups, let resources, let verbs else { throw JSONReader.Unexpected() }
        self.namespace = namespace ?? nil
        self.apiGroups = apiGroups
        self.resources = resources
        self.verbs = verbs
        self.resourceNames = resourceNames ?? nil
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("apiGroups", apiGroups)
            writer.member("namespace", namespace)
            writer.member("resourceNames", resourceNames)
            writer.member("resources", resources)
            writer.member("verbs", verbs)
        }
    }
}

extension TargetRoleRef: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var kind: Kind?
        var name: String?
        var namespace: String??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "kind": try kind.once(reader.read())
            case "name": try name.once(reader.read())
            case "namespace": try namespace.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        guard let kind, let name else { throw JSONReader.Unexpected() }
        self.kind = kind
        self.name = name
        self.namespace = namespace ?? nil
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("kind", kind)
            writer.member("name", name)
            writer.member("namespace", namespace)
        }
    }
}

extension Identity: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var username: String?
        var uid: String??
        var groups: [String]??
        var signature: String??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "username": try username.once(reader.read())
            case "uid": try uid.once(reader.readIfPresent())
            case "groups": try groups.once(reader.readIfPresent())
            case "signature": try signature.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        guard let username else { throw JSONReader.Unexpected() }
        self.username = username
        self.uid = uid ?? nil
        self.groups = groups ?? nil
        self.signature = signature ?? nil
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("groups", groups)
            writer.member("signature", signature)
            writer.member("uid", uid)
            writer.member("username", username)
        }
    }
}
