import Foundation
import KubeCore

/// A CloudEvents 1.0 event (github.com/cloudevents/spec) in structured JSON mode: every
/// attribute in the body, sent with ``contentType``.
public struct CloudEvent: Sendable, Hashable {
    /// `Content-Type` of a structured-mode request.
    public static let contentType = "application/cloudevents+json; charset=UTF-8"
    public static let specVersion = "1.0"

    /// Unique per `source`; receivers de-duplicate by it.
    public var id: String
    /// URI-reference of the producer (e.g. `/apis/airlock.dev/clusters/prod`).
    public var source: String
    /// Reverse-DNS event type (`dev.airlock.request.granted`).
    public var type: String
    /// What the event is about within the source (`namespace/name`).
    public var subject: String?
    public var time: Date?
    /// Media type of ``data``.
    public var dataContentType: String
    public var data: JSONValue?

    public init(
        id: String, source: String, type: String, subject: String? = nil, time: Date? = nil,
        dataContentType: String = "application/json", data: JSONValue? = nil
    ) {
        self.id = id
        self.source = source
        self.type = type
        self.subject = subject
        self.time = time
        self.dataContentType = dataContentType
        self.data = data
    }

    /// The structured-mode JSON body (keys sorted, so the same event is the same bytes).
    public var structuredBody: Data {
        var members: [String: JSONValue] = [
            "specversion": .string(Self.specVersion), "id": .string(id), "source": .string(source),
            "type": .string(type), "datacontenttype": .string(dataContentType),
        ]
        if let subject { members["subject"] = .string(subject) }
        if let time { members["time"] = .string(RFC3339.format(time)) }
        if let data { members["data"] = data }
        return JSONValue.object(members).jsonData
    }
}
