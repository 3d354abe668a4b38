/// Who receives the access an ActionRequest asks for.
public enum CredentialMode: String, Codable, Sendable, Hashable, CaseIterable {
    /// A fresh ServiceAccount is the grantee; its short-lived token is handed over in a Secret
    /// with a ready kubeconfig. Deleting the ServiceAccount at the end kills every token.
    case ephemeral = "Ephemeral"
    /// The requester's own User or ServiceAccount (or `spec.subject`) is bound directly.
    case subject = "Subject"
}
