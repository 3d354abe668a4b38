/// `metav1.Status`: the API server's error (and some success) answer.
public struct Status: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var status: String?
    public var message: String?
    public var reason: String?
    public var details: Details?
    public var code: Int?

    public init(status: String? = "Failure", message: String?, reason: String?, code: Int?, details: Details? = nil) {
        self.apiVersion = "v1"
        self.kind = "Status"
        self.status = status
        self.message = message
        self.reason = reason
        self.code = code
        self.details = details
    }

    public struct Details: Codable, Sendable, Hashable {
        public var name: String?
        public var group: String?
        public var kind: String?
        public var uid: String?
        public var causes: [Cause]?
        public var retryAfterSeconds: Int?

        public init(name: String? = nil, kind: String? = nil, causes: [Cause]? = nil) {
            self.name = name
            self.kind = kind
            self.causes = causes
        }
    }

    /// One field-level problem (`FieldValueInvalid` on `spec.duration`, ...).
    public struct Cause: Codable, Sendable, Hashable {
        public var reason: String?
        public var message: String?
        public var field: String?

        public init(reason: String?, message: String?, field: String?) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }
}
