import KubeCore

/// `ActionReview` (`airlock.dev/v1alpha1`, namespaced, short name `arev`): one reviewer's
/// decision on an ActionRequest in the same namespace. Reviews from every channel (kubectl,
/// Slack, Teams) are ActionReviews, so there is one audit trail.
public struct ActionReview: KubeResource, Hashable {
    public static let group = AirlockConstants.group, version = AirlockConstants.version
    public static let kind = "ActionReview", plural = "actionreviews"
    public static let scope = ResourceScope.namespaced

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ActionReviewSpec
    public var status: ActionReviewStatus?

    /// A review with `apiVersion` and `kind` set.
    public init(metadata: ObjectMeta, spec: ActionReviewSpec, status: ActionReviewStatus? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
