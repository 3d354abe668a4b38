import KubeCore

/// What the controller reports about an ApprovalPolicy.
public struct ApprovalPolicyStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int64?
    public var conditions: [Condition]?

    public init(observedGeneration: Int64? = nil, conditions: [Condition]? = nil) {
        self.observedGeneration = observedGeneration
        self.conditions = conditions
    }
}
