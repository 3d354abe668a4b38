import Foundation

/// `coordination.k8s.io/v1 Lease`, used for leader election.
public struct Lease: KubeResource, Hashable {
    public static let group = "coordination.k8s.io", version = "v1", kind = "Lease", plural = "leases"
    public static let scope = ResourceScope.namespaced
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: Spec?

    public struct Spec: Codable, Sendable, Hashable {
        public var holderIdentity: String?
        public var leaseDurationSeconds: Int?
        public var acquireTime: Date?
        public var renewTime: Date?
        public var leaseTransitions: Int?

        public init(
            holderIdentity: String? = nil, leaseDurationSeconds: Int? = nil, acquireTime: Date? = nil,
            renewTime: Date? = nil, leaseTransitions: Int? = nil
        ) {
            self.holderIdentity = holderIdentity
            self.leaseDurationSeconds = leaseDurationSeconds
            self.acquireTime = acquireTime
            self.renewTime = renewTime
            self.leaseTransitions = leaseTransitions
        }
    }

    public init(metadata: ObjectMeta, spec: Spec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// A reference to an object, as in Events.
public struct ObjectReference: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var name: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?

    public init(apiVersion: String?, kind: String?, name: String?, namespace: String?, uid: String?) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.uid = uid
    }
}

extension KubeResource {
    /// A reference to this object, for Events.
    public var objectReference: ObjectReference {
        ObjectReference(
            apiVersion: Self.apiVersion, kind: Self.kind, name: metadata.name, namespace: metadata.namespace,
            uid: metadata.uid)
    }
}

/// `events.k8s.io/v1 Event`.
public struct Event: KubeResource, Hashable {
    public static let group = "events.k8s.io", version = "v1", kind = "Event", plural = "events"
    public static let scope = ResourceScope.namespaced
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var eventTime: Date
    public var series: Series?
    public var reportingController: String
    public var reportingInstance: String
    public var action: String
    public var reason: String
    public var regarding: ObjectReference
    public var note: String?
    /// `Normal` or `Warning`.
    public var type: String

    public struct Series: Codable, Sendable, Hashable {
        public var count: Int
        public var lastObservedTime: Date
        public init(count: Int, lastObservedTime: Date) {
            self.count = count
            self.lastObservedTime = lastObservedTime
        }
    }

    public init(
        metadata: ObjectMeta, eventTime: Date, reportingController: String, reportingInstance: String,
        action: String, reason: String, regarding: ObjectReference, note: String?, type: String
    ) {
        self.metadata = metadata
        self.eventTime = eventTime
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
        self.action = action
        self.reason = reason
        self.regarding = regarding
        self.note = note
        self.type = type
    }
}
