import AirlockAPI

/// Which ActionRequest instance a chat message is about: `namespace/name/uid`, as carried in
/// button values, modal metadata and message metadata. The uid pins the instance, so a click
/// on an old card never counts for a later request that reuses the name.
public struct ChatRequestReference: Sendable, Hashable, Codable, CustomStringConvertible {
    public var namespace: String
    public var name: String
    public var uid: String

    public init(namespace: String, name: String, uid: String) {
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }

    /// The reference of a request read from the API server.
    ///
    /// - Throws: ``ChatError`` (`.invalidInput`) when namespace, name or uid is missing: only
    ///   persisted requests can be announced.
    public init(request: ActionRequest) throws(ChatError) {
        guard let namespace = request.metadata.namespace, !namespace.isEmpty,
            let name = request.metadata.name, !name.isEmpty, let uid = request.metadata.uid, !uid.isEmpty
        else {
            throw ChatError(
                .invalidInput,
                "the ActionRequest has no namespace, name or uid: announce only requests read from the API server")
        }
        self.init(namespace: namespace, name: name, uid: uid)
    }

    /// Parses `namespace/name/uid`; each part must look like what Kubernetes allows (lowercase
    /// DNS names, a uid of letters, digits and dashes).
    ///
    /// - Throws: ``ChatError`` (`.malformedPayload`) naming the expected form.
    public init(parsing text: String) throws(ChatError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, Self.isDNSName(parts[0], maxLength: 63), Self.isDNSName(parts[1], maxLength: 253),
            Self.isUID(parts[2])
        else {
            throw ChatError(.malformedPayload, "the request reference is not 'namespace/name/uid'")
        }
        self.init(namespace: parts[0], name: parts[1], uid: parts[2])
    }

    /// `namespace/name/uid`.
    public var description: String { "\(namespace)/\(name)/\(uid)" }

    /// `namespace/name`, as people and `kubectl` name the request.
    public var qualifiedName: String { "\(namespace)/\(name)" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func isDNSName(_ text: String, maxLength: Int) -> Bool {
        !text.isEmpty && text.utf8.count <= maxLength
            && text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46 }
    }

    private static func isUID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 128
            && text.utf8.allSatisfy {
                ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 45
            }
    }
}
