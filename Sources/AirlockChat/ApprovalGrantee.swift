import AirlockAPI

/// Who receives the access if the request is granted.
public struct ApprovalGrantee: Codable, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable, Hashable {
        /// A fresh ServiceAccount whose short-lived token goes to the requester; deleted at the end.
        case ephemeralServiceAccount = "EphemeralServiceAccount"
        case user = "User"
        case group = "Group"
        case serviceAccount = "ServiceAccount"
    }

    public var kind: Kind
    /// The subject's name; nil for an ephemeral ServiceAccount not created yet.
    public var name: String?
    /// The ServiceAccount's namespace.
    public var namespace: String?

    public init(kind: Kind, name: String?, namespace: String? = nil) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
    }

    /// The grantee of a request: the ephemeral ServiceAccount (named once it exists), the
    /// `spec.subject`, or the requester itself.
    public init(spec: ActionRequestSpec, status: ActionRequestStatus?) {
        switch spec.effectiveCredential {
        case .ephemeral:
            let account = status?.grants?.first { $0.kind == "ServiceAccount" }
            self.init(kind: .ephemeralServiceAccount, name: account?.name, namespace: account?.namespace)
        case .subject:
            if let subject = spec.subject {
                let kind: Kind =
                    switch subject.kind {
                    case "ServiceAccount": .serviceAccount
                    case "Group": .group
                    default: .user
                    }
                self.init(kind: kind, name: subject.name, namespace: subject.namespace)
            } else {
                self.init(username: spec.requester?.username)
            }
        }
    }

    /// A Kubernetes username: `system:serviceaccount:<ns>:<name>` is a ServiceAccount.
    public init(username: String?) {
        let parts = (username ?? "").split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount" {
            self.init(kind: .serviceAccount, name: String(parts[3]), namespace: String(parts[2]))
        } else {
            self.init(kind: .user, name: username.flatMap { $0.isEmpty ? nil : $0 })
        }
    }

    /// `ServiceAccount prod/deployer`, `User alice`, `a new ServiceAccount (token to the requester)`.
    public var description: String {
        switch kind {
        case .ephemeralServiceAccount:
            if let name {
                "ephemeral ServiceAccount \(namespace.map { "\($0)/" } ?? "")\(name)"
            } else {
                "a new ephemeral ServiceAccount (its token goes to the requester)"
            }
        case .serviceAccount: "ServiceAccount \(namespace.map { "\($0)/" } ?? "")\(name ?? "?")"
        case .user: "User \(name ?? "(unknown)")"
        case .group: "Group \(name ?? "?")"
        }
    }
}
