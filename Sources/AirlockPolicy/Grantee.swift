import AirlockAPI
import KubeCore

/// Who receives the access a request asks for. A grantee never counts as a reviewer of the
/// request it benefits from.
public enum Grantee: Sendable, Hashable {
    /// A username: a User, or a ServiceAccount as `system:serviceaccount:<namespace>:<name>`.
    case user(String)
    /// Every member of a group.
    case group(String)

    /// The grantee a binding to `subject` gives access to.
    public init(subject: RBACSubject) {
        switch subject.kind {
        case "ServiceAccount":
            self = .user(ServiceAccountUsername.username(namespace: subject.namespace ?? "", name: subject.name))
        case "Group":
            self = .group(subject.name)
        default:
            self = .user(subject.name)
        }
    }

    /// The grantee of `request`: with ``AirlockAPI/CredentialMode/ephemeral`` credentials the
    /// ephemeral ServiceAccount (its username, `system:serviceaccount:<ns>:<name>`; nil before
    /// it is named), with ``AirlockAPI/CredentialMode/subject`` the bound `spec.subject`, or the
    /// requester itself when no subject is named.
    public static func of(_ request: ActionRequest, ephemeralServiceAccount: String?) -> Grantee? {
        switch request.spec.effectiveCredential {
        case .ephemeral:
            return ephemeralServiceAccount.map(Grantee.user)
        case .subject:
            if let subject = request.spec.subject { return Grantee(subject: subject) }
            return request.spec.requester.map { .user($0.username) }
        }
    }

    /// Whether `identity` is (or, for a group, belongs to) the grantee.
    public func includes(_ identity: Identity) -> Bool {
        switch self {
        case .user(let username): identity.username == username
        case .group(let group): identity.groups?.contains(group) ?? false
        }
    }
}
