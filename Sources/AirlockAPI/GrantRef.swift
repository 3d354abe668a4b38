/// An object the controller created for a grant (`ActionRequest.status.grants[]`).
public struct GrantRef: Codable, Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    /// nil for cluster-scoped objects (ClusterRole, ClusterRoleBinding).
    public var namespace: String?
    public var name: String
    /// UID of the created object, so cleanup never deletes a same-named replacement.
    public var uid: String?

    public init(apiVersion: String, kind: String, namespace: String?, name: String, uid: String?) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }
}
