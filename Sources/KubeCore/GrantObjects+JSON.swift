import Foundation

// Hand-written JSON for what the controller creates for every grant (a Role and its binding)
// and every Event (see ``JSONWritable``): the bytes of their `Encodable` conformances.
// `GrantObjectJSONTests` holds them to that.

extension Role: JSONWritable {
    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("apiVersion", apiVersion)
            writer.member("kind", kind)
            writer.member("metadata", metadata)
            writer.member("rules", rules)
        }
    }
}

extension RoleBinding: JSONWritable {
    public func write(json writer: inout JSONWriter) {
        writer.binding(apiVersion: apiVersion, kind: kind, metadata: metadata, roleRef: roleRef, subjects: subjects)
    }
}

extension ClusterRoleBinding: JSONWritable {
    public func write(json writer: inout JSONWriter) {
        writer.binding(apiVersion: apiVersion, kind: kind, metadata: metadata, roleRef: roleRef, subjects: subjects)
    }
}

extension JSONWriter {
    /// A RoleBinding or ClusterRoleBinding (the same members).
    fileprivate mutating func binding(
        apiVersion: String?, kind: String?, metadata: ObjectMeta, roleRef: RoleRef, subjects: [RBACSubject]?
    ) {
        object { writer in
            writer.member("apiVersion", apiVersion)
            writer.member("kind", kind)
            writer.member("metadata", metadata)
            writer.member("roleRef", roleRef)
            writer.member("subjects", subjects)
        }
    }
}

extension RoleRef: JSONWritable {
    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("apiGroup", apiGroup)
            writer.member("kind", kind)
            writer.member("name", name)
        }
    }
}

extension Event: JSONWritable {
    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("action", action)
            writer.member("apiVersion", apiVersion)
            writer.member("eventTime", eventTime)
            writer.member("kind", kind)
            writer.member("metadata", metadata)
            writer.member("note", note)
            writer.member("reason", reason)
            writer.member("regarding", regarding)
            writer.member("reportingController", reportingController)
            writer.member("reportingInstance", reportingInstance)
            writer.member("series", series)
            writer.member("type", type)
        }
    }
}

extension Event.Series: JSONWritable {
    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("count", count)
            writer.member("lastObservedTime", lastObservedTime)
        }
    }
}

extension ObjectReference: JSONWritable {
    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("apiVersion", apiVersion)
            writer.member("kind", kind)
            writer.member("name", name)
            writer.member("namespace", namespace)
            writer.member("resourceVersion", resourceVersion)
            writer.member("uid", uid)
        }
    }
}
