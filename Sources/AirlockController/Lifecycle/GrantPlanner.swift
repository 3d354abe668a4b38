import AirlockAPI
import AirlockPolicy
import Crypto
import Foundation
import KubeCore

/// Turns an approved `ActionRequest` into the exact RBAC it needs (pure: request + duration +
/// clock → desired objects).
///
/// - `permissions`: one Role + RoleBinding per target namespace with exactly the requested
///   rules; rules without a namespace go into one ClusterRole + ClusterRoleBinding.
/// - `roleRef`: Airlock's own Role (in the roleRef's namespace) or ClusterRole (cluster-wide)
///   holding the role's *snapshot* (`status.roleSnapshot`), and a binding to it — never a
///   binding to the named role, so a later edit of that role cannot widen the grant.
/// - `credential: Ephemeral`: the grantee is a new ServiceAccount; its token goes into a
///   Secret that only the requester may `get` (a Role + RoleBinding on that one name).
///   `credential: Subject`: the requester's own User or ServiceAccount is bound.
///
/// Names are deterministic (`airlock-<request>-<hash>`, the hash over the request uid and the
/// object's purpose), so a retried or resumed grant finds its own objects.
public struct GrantPlanner: Sendable {
    public init() {}

    /// The objects for `request` with `duration` from `now`; `role` is the snapshot of its
    /// roleRef (default: `status.roleSnapshot`). Throws when the request cannot be granted.
    public func plan(
        request: ActionRequest, duration: KubeDuration, now: Date, role: RoleSnapshot? = nil
    ) throws -> GrantPlan {
        guard let namespace = request.metadata.namespace, let name = request.metadata.name,
            let uid = request.metadata.uid
        else { throw GrantPlanError("the request has no namespace, name or uid") }
        guard let requester = request.spec.requester?.username, !requester.isEmpty else {
            throw GrantPlanError("the request has no requester")
        }
        let expiresAt = now.addingTimeInterval(Double(duration.seconds))
        let labels = Self.labels(namespace: namespace, name: name, uid: uid)
        let annotations = [AirlockConstants.Annotation.expiresAt: RFC3339.format(expiresAt, fractional: true)]
        let owner = request.ownerReference(controller: true)
        func meta(_ purpose: String, in objectNamespace: String?) -> ObjectMeta {
            ObjectMeta(
                name: Self.objectName(request: name, uid: uid, purpose: purpose), namespace: objectNamespace,
                labels: labels, annotations: annotations,
                ownerReferences: objectNamespace == namespace ? [owner] : nil)
        }

        var plan = GrantPlan(
            grantee: try grantee(request: request, requester: requester, meta: meta("grantee", in: namespace)),
            roles: [], roleBindings: [], clusterRoles: [], clusterRoleBindings: [], expiresAt: expiresAt,
            labels: labels, annotations: annotations)
        if request.spec.effectiveCredential == .ephemeral {
            plan.serviceAccount = ServiceAccount(
                metadata: meta("grantee", in: namespace), automountServiceAccountToken: false)
            let secretName = Self.objectName(request: name, uid: uid, purpose: "credential")
            plan.credentialSecretName = secretName
            // Only the requester may read the credential.
            let reader = meta("credential-reader", in: namespace)
            plan.roles.append(
                Role(
                    metadata: reader,
                    rules: [
                        PolicyRule(apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: [secretName])
                    ]))
            plan.roleBindings.append(
                RoleBinding(
                    metadata: reader, subjects: [Self.subject(forUsername: requester)],
                    roleRef: RoleRef(kind: "Role", name: reader.name ?? "")))
        }

        let permissions = request.spec.permissions ?? []
        let byNamespace = Dictionary(grouping: permissions.filter { $0.namespace != nil }, by: { $0.namespace! })
        for target in byNamespace.keys.sorted() {
            let objectMeta = meta("role-\(target)", in: target)
            plan.roles.append(Role(metadata: objectMeta, rules: byNamespace[target]!.map(\.policyRule)))
            plan.roleBindings.append(
                RoleBinding(
                    metadata: objectMeta, subjects: [plan.grantee],
                    roleRef: RoleRef(kind: "Role", name: objectMeta.name ?? "")))
        }
        let clusterRules = permissions.filter { $0.namespace == nil }
        if !clusterRules.isEmpty {
            let objectMeta = meta("clusterrole", in: nil)
            plan.clusterRoles.append(ClusterRole(metadata: objectMeta, rules: clusterRules.map(\.policyRule)))
            plan.clusterRoleBindings.append(
                ClusterRoleBinding(
                    metadata: objectMeta, subjects: [plan.grantee],
                    roleRef: RoleRef(kind: "ClusterRole", name: objectMeta.name ?? "")))
        }
        if let roleRef = request.spec.roleRef {
            if roleRef.kind == .role && roleRef.namespace == nil {
                throw GrantPlanError("spec.roleRef: a Role needs a namespace")
            }
            guard let snapshot = role ?? request.status?.roleSnapshot else {
                throw GrantPlanError(
                    "spec.roleRef: the rules of \(roleRef.kind.rawValue) \(roleRef.name) are not known")
            }
            if let target = roleRef.namespace {
                let objectMeta = meta("roleref-\(target)", in: target)
                plan.roles.append(Role(metadata: objectMeta, rules: snapshot.rules))
                plan.roleBindings.append(
                    RoleBinding(
                        metadata: objectMeta, subjects: [plan.grantee],
                        roleRef: RoleRef(kind: "Role", name: objectMeta.name ?? "")))
            } else if roleRef.kind == .clusterRole {
                let objectMeta = meta("roleref", in: nil)
                plan.clusterRoles.append(ClusterRole(metadata: objectMeta, rules: snapshot.rules))
                plan.clusterRoleBindings.append(
                    ClusterRoleBinding(
                        metadata: objectMeta, subjects: [plan.grantee],
                        roleRef: RoleRef(kind: "ClusterRole", name: objectMeta.name ?? "")))
            } else {
                throw GrantPlanError("spec.roleRef: a Role needs a namespace")
            }
        }
        guard plan.bindingCount > (plan.serviceAccount == nil ? 0 : 1) else {
            throw GrantPlanError("the request asks for nothing: set spec.permissions or spec.roleRef")
        }
        return plan
    }

    /// The credential Secret: token, CA, namespace, server and a ready kubeconfig.
    public func credentialSecret(
        plan: GrantPlan, namespace: String, token: String, server: String, certificateAuthorityPEM: [UInt8]?
    ) -> Secret? {
        guard let name = plan.credentialSecretName, let account = plan.serviceAccount?.metadata.name else { return nil }
        var data: [String: Data] = [
            "token": Data(token.utf8), "namespace": Data(namespace.utf8), "server": Data(server.utf8),
        ]
        var cluster = "    server: \(server)\n"
        if let ca = certificateAuthorityPEM {
            data["ca.crt"] = Data(ca)
            cluster += "    certificate-authority-data: \(Data(ca).base64EncodedString())\n"
        }
        data["kubeconfig"] = Data(
            """
            apiVersion: v1
            kind: Config
            clusters:
            - name: airlock
              cluster:
            \(cluster)users:
            - name: \(account)
              user:
                token: \(token)
            contexts:
            - name: airlock
              context:
                cluster: airlock
                user: \(account)
                namespace: \(namespace)
            current-context: airlock

            """.utf8)
        var meta = plan.serviceAccount!.metadata
        meta.name = name
        return Secret(metadata: meta, type: "Opaque", data: data)
    }

    /// The grantee: the ephemeral ServiceAccount, or the requester's own identity.
    private func grantee(request: ActionRequest, requester: String, meta: ObjectMeta) throws -> RBACSubject {
        if request.spec.effectiveCredential == .ephemeral {
            return .serviceAccount(meta.name ?? "", namespace: meta.namespace ?? "")
        }
        let own = Self.subject(forUsername: requester)
        if let subject = request.spec.subject {
            let named =
                subject.kind == "ServiceAccount"
                ? RBACSubject.serviceAccount(
                    subject.name, namespace: subject.namespace ?? request.metadata.namespace ?? "")
                : subject.kind == "User" ? RBACSubject.user(subject.name) : subject
            guard named == own else {
                throw GrantPlanError(
                    "spec.subject must name the requester's own identity (\(requester)), not \(subject.kind) \(subject.name)"
                )
            }
        }
        return own
    }

    /// A User subject, or a ServiceAccount subject for `system:serviceaccount:ns:name`.
    public static func subject(forUsername username: String) -> RBACSubject {
        if let account = ServiceAccountUsername.parse(username) {
            return .serviceAccount(account.name, namespace: account.namespace)
        }
        return .user(username)
    }

    /// The labels every managed object carries.
    public static func labels(namespace: String, name: String, uid: String) -> [String: String] {
        [
            AirlockConstants.Label.managedBy: AirlockConstants.Label.managedByValue,
            AirlockConstants.Label.requestNamespace: namespace,
            AirlockConstants.Label.requestName: labelValue(name),
            AirlockConstants.Label.requestUID: uid,
        ]
    }

    /// `airlock-<request>-<8 hex of sha256(uid/purpose)>`, within 63 characters.
    public static func objectName(request: String, uid: String, purpose: String) -> String {
        let digest = Hex.encode(SHA256.hash(data: Data("\(uid)/\(purpose)".utf8)).prefix(4))
        var base = String(request.prefix(63 - "airlock-".count - 9))
        while base.hasSuffix("-") || base.hasSuffix(".") { base.removeLast() }
        return "airlock-\(base)-\(digest)"
    }

    /// A label value (at most 63 characters, alphanumeric at both ends).
    static func labelValue(_ text: String) -> String {
        var value = String(text.prefix(63))
        while let last = value.last, !(last.isLetter || last.isNumber) { value.removeLast() }
        return value
    }
}
