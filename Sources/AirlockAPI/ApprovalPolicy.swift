import KubeCore

/// `ApprovalPolicy` (`airlock.dev/v1alpha1`, cluster-scoped, short name `apol`): which
/// requests it matches and what happens to them. Several matching policies combine to the
/// most restrictive (Deny > RequireApproval > AutoApprove, max of required approvals, min of
/// max durations).
public struct ApprovalPolicy: KubeResource, Hashable {
    public static let group = AirlockConstants.group, version = AirlockConstants.version
    public static let kind = "ApprovalPolicy", plural = "approvalpolicies"
    public static let scope = ResourceScope.cluster

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ApprovalPolicySpec
    public var status: ApprovalPolicyStatus?

    /// A policy with `apiVersion` and `kind` set.
    public init(metadata: ObjectMeta, spec: ApprovalPolicySpec, status: ApprovalPolicyStatus? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
