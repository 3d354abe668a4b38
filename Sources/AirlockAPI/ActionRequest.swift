import KubeCore

/// `ActionRequest` (`airlock.dev/v1alpha1`, namespaced, short name `areq`): an ask for
/// privileged access for one action and a limited time.
///
/// The spec is immutable after creation; the controller reports progress in `status`
/// (phase, conditions, decision, reviews, grants).
public struct ActionRequest: KubeResource, Hashable {
    public static let group = AirlockConstants.group, version = AirlockConstants.version
    public static let kind = "ActionRequest", plural = "actionrequests"
    public static let scope = ResourceScope.namespaced

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ActionRequestSpec
    public var status: ActionRequestStatus?

    /// A request with `apiVersion` and `kind` set.
    public init(metadata: ObjectMeta, spec: ActionRequestSpec, status: ActionRequestStatus? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
