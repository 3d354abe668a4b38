import Foundation

// Hand-written JSON for the metadata types the controller reads and writes most (see
// ``JSONReadable`` and ``JSONWritable``). Members are written in sorted order.

extension ObjectMeta: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var name: String??, generateName: String??, namespace: String??, uid: String??
        var resourceVersion: String??, generation: Int64??, creationTimestamp: Date??, deletionTimestamp: Date??
        var labels: [String: String]??, annotations: [String: String]??
        var ownerReferences: [OwnerReference]??, finalizers: [String]??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "name": try name.once(reader.readIfPresent())
            case "generateName":
                try generateName.once(reader.readIfPresent())
            case "namespace": try namespace.once(reader.readIfPresent())
            case "uid": try uid.once(reader.readIfPresent())
            case "resourceVersion":
                try resourceVersion.once(reader.readIfPresent())
            case "generation": try generation.once(reader.readIfPresent())
            case "creationTimestamp":
                try creationTimestamp.once(reader.readIfPresent())
            case "deletionTimestamp":
                try deletionTimestamp.once(reader.readIfPresent())
            case "labels": try labels.once(reader.readIfPresent())
            case "annotations":
                try annotations.once(reader.readIfPresent())
            case "ownerReferences":
                try ownerReferences.once(reader.readIfPresent())
            case "finalizers": try finalizers.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        self.init(
            name: name ?? nil, namespace: namespace ?? nil, labels: labels ?? nil, annotations: annotations ?? nil,
            ownerReferences: ownerReferences ?? nil, finalizers: finalizers ?? nil)
        self.generateName = generateName ?? nil
        self.uid = uid ?? nil
        self.resourceVersion = resourceVersion ?? nil
        self.generation = generation ?? nil
        self.creationTimestamp = creationTimestamp ?? nil
        self.deletionTimestamp = deletionTimestamp ?? nil
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("annotations", annotations)
            writer.member("creationTimestamp", creationTimestamp)
            writer.member("deletionTimestamp", deletionTimestamp)
            writer.member("finalizers", finalizers)
            writer.member("generateName", generateName)
            writer.member("generation", generation)
            writer.member("labels", labels)
            writer.member("name", name)
            writer.member("namespace", namespace)
            writer.member("ownerReferences", ownerReferences)
            writer.member("resourceVersion", resourceVersion)
            writer.member("uid", uid)
        }
    }
}

extension OwnerReference: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var apiVersion: String?, kind: String?, name: String?, uid: String?
        var controller: Bool??, blockOwnerDeletion: Bool??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "apiVersion": try apiVersion.once(reader.read())
            case "kind": try kind.once(reader.read())
            case "name": try name.once(reader.read())
            case "uid": try uid.once(reader.read())
            case "controller": try controller.once(reader.readIfPresent())
            case "blockOwnerDeletion":
                try blockOwnerDeletion.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        guard let apiVersion, let kind, let name, let uid else { throw JSONReader.Unexpected() }
        self.init(
            apiVersion: apiVersion, kind: kind, name: name, uid: uid, controller: controller ?? nil,
            blockOwnerDeletion: blockOwnerDeletion ?? nil)
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("apiVersion", apiVersion)
            writer.member("blockOwnerDeletion", blockOwnerDeletion)
            writer.member("controller", controller)
            writer.member("kind", kind)
            writer.member("name", name)
            writer.member("uid", uid)
        }
    }
}

extension Condition: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var type: String?, status: String?, observedGeneration: Int64??, lastTransitionTime: Date?
        var reason: String?, message: String?
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "type": try type.once(reader.read())
            case "status": try status.once(reader.read())
            case "observedGeneration":
                try observedGeneration.once(reader.readIfPresent())
            case "lastTransitionTime": try lastTransitionTime.once(reader.read())
            case "reason": try reason.once(reader.read())
            case "message": try message.once(reader.read())
            default: try reader.skip(field)
            }
        }
        guard let type, let status, let lastTransitionTime, let reason, let message else {
            throw JSONReader.Unexpected()
        }
        self.init(
            type: type, status: status, observedGeneration: observedGeneration ?? nil,
            lastTransitionTime: lastTransitionTime, reason: reason, message: message)
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("lastTransitionTime", lastTransitionTime)
            writer.member("message", message)
            writer.member("observedGeneration", observedGeneration)
            writer.member("reason", reason)
            writer.member("status", status)
            writer.member("type", type)
        }
    }
}

extension PolicyRule: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var apiGroups: [String]??, resources: [String]??, verbs: [String]?
        var resourceNames: [String]??, nonResourceURLs: [String]??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "apiGroups": try apiGroups.once(reader.readIfPresent())
            case "resources": try resources.once(reader.readIfPresent())
            case "verbs": try verbs.once(reader.read())
            case "resourceNames":
                try resourceNames.once(reader.readIfPresent())
            case "nonResourceURLs":
                try nonResourceURLs.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        guard let verbs else { throw JSONReader.Unexpected() }
        self.init(
            apiGroups: apiGroups ?? nil, resources: resources ?? nil, verbs: verbs,
            resourceNames: resourceNames ?? nil, nonResourceURLs: nonResourceURLs ?? nil)
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("apiGroups", apiGroups)
            writer.member("nonResourceURLs", nonResourceURLs)
            writer.member("resourceNames", resourceNames)
            writer.member("resources", resources)
            writer.member("verbs", verbs)
        }
    }
}

extension RBACSubject: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var kind: String?, name: String?, namespace: String??, apiGroup: String??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "kind": try kind.once(reader.read())
            case "name": try name.once(reader.read())
            case "namespace": try namespace.once(reader.readIfPresent())
            case "apiGroup": try apiGroup.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        guard let kind, let name else { throw JSONReader.Unexpected() }
        self.init(kind: kind, name: name, namespace: namespace ?? nil, apiGroup: apiGroup ?? nil)
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("apiGroup", apiGroup)
            writer.member("kind", kind)
            writer.member("name", name)
            writer.member("namespace", namespace)
        }
    }
}

extension KubeDuration: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        do {
            self.init(seconds: try Self.parse(try reader.read()))
        } catch {
            throw JSONReader.Unexpected()
        }
    }

    public func write(json writer: inout JSONWriter) { writer.string(description) }
}
