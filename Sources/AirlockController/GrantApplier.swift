import AirlockAPI
import Foundation
import KubeClient
import KubeCore

/// Where the credential Secret's kubeconfig points: the API server as seen by the grantee.
public struct CredentialEndpoint: Sendable {
    public var server: String
    public var certificateAuthorityPEM: [UInt8]?

    public init(server: String, certificateAuthorityPEM: [UInt8]?) {
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
    }
}

/// Creates the objects of a `GrantPlan`, idempotently: an object that already exists is
/// accepted only if it is labelled for the same request *and* gives exactly the planned access
/// (``PlannedAccess``; for the credential, a token of the grant's own ServiceAccount), so
/// retries and a controller restarted mid-grant converge, and no one can pre-create a trap.
///
/// Order: ServiceAccount, Roles, credential Secret, then the bindings — access starts only
/// once everything it needs exists. Every failure is a ``GrantError`` saying whether a retry
/// can help.
struct GrantApplier: Sendable {
    let client: KubernetesClient
    let planner = GrantPlanner()
    let endpoint: CredentialEndpoint
    /// The wall clock (token lifetimes are computed from it).
    let now: @Sendable () -> Date

    func apply(_ plan: GrantPlan, for request: ActionRequest) async throws -> [GrantRef] {
        let uid = request.metadata.uid ?? ""
        var refs: [GrantRef] = []
        if let account = plan.serviceAccount { refs.append(try await ensure(account, uid: uid)) }
        for role in plan.roles { refs.append(try await ensure(role, uid: uid)) }
        for role in plan.clusterRoles { refs.append(try await ensure(role, uid: uid)) }
        if let account = plan.serviceAccount, let namespace = account.metadata.namespace {
            refs.append(try await ensureCredential(plan: plan, account: account, namespace: namespace, uid: uid))
        }
        for binding in plan.roleBindings { refs.append(try await ensure(binding, uid: uid)) }
        for binding in plan.clusterRoleBindings { refs.append(try await ensure(binding, uid: uid)) }
        return refs
    }

    /// The Secret is created once, with a token that outlives the grant (at least 10 min, the
    /// TokenRequest minimum); revocation deletes the ServiceAccount, which kills the token.
    private func ensureCredential(
        plan: GrantPlan, account: ServiceAccount, namespace: String, uid: String
    ) async throws -> GrantRef {
        let accountName = account.metadata.name ?? ""
        let name = plan.credentialSecretName ?? ""
        /// The Secret found under the credential's name, if it holds a token of the grant's
        /// account and is otherwise what the planner would write around that token.
        func verified(_ found: Secret) throws -> GrantRef {
            let token = found.data?["token"].flatMap { String(data: $0, encoding: .utf8) } ?? ""
            let subject = "system:serviceaccount:\(namespace):\(accountName)"
            let expected = planner.credentialSecret(
                plan: plan, namespace: namespace, token: token, server: endpoint.server,
                certificateAuthorityPEM: endpoint.certificateAuthorityPEM)
            guard ServiceAccountTokenSubject.of(token) == subject, found.type == expected?.type,
                found.data == expected?.data
            else {
                throw GrantError.terminal(
                    "Secret \(found.key) exists but does not give the access planned (it is not the credential of \(subject)): refusing to use it"
                )
            }
            return Self.ref(found)
        }
        if let existing = try await existing(Secret.self, name: name, namespace: namespace, uid: uid) {
            return try verified(existing)
        }
        let seconds = max(600, Int64(plan.expiresAt.timeIntervalSince(now()).rounded(.up)) + 60)
        let token: TokenRequest
        do {
            token = try await client.requestToken(
                serviceAccount: accountName, namespace: namespace, expirationSeconds: seconds)
        } catch let error as KubernetesError {
            throw GrantError(error, while: "requesting a token for \(namespace)/\(accountName)")
        }
        guard let value = token.status?.token,
            let secret = planner.credentialSecret(
                plan: plan, namespace: namespace, token: value, server: endpoint.server,
                certificateAuthorityPEM: endpoint.certificateAuthorityPEM)
        else { throw GrantError.transient("the API server issued no token for \(namespace)/\(accountName)") }
        return try await ensure(secret, uid: uid, accepting: verified)
    }

    private func ensure<R: PlannedAccess>(_ object: R, uid: String) async throws -> GrantRef {
        try await ensure(object, uid: uid) { found in
            if let difference = object.accessDifference(from: found) {
                throw GrantError.terminal(
                    "\(R.kind) \(found.key) exists but does not give the access planned (it has \(difference)): refusing to use it"
                )
            }
            return Self.ref(found)
        }
    }

    /// Creates `object`; when it already exists, `accepting` judges the one found.
    private func ensure<R: KubeResource>(
        _ object: R, uid: String, accepting: (R) throws -> GrantRef
    ) async throws -> GrantRef {
        do {
            var created = object
            created.metadata = try await client.createMetadata(object)
            return Self.ref(created)
        } catch let error as KubernetesError where error.isAlreadyExists {
            guard
                let found = try await existing(
                    R.self, name: object.metadata.name ?? "", namespace: object.metadata.namespace, uid: uid)
            else {
                throw GrantError.transient("\(R.kind) \(object.key) vanished while being created")
            }
            return try accepting(found)
        } catch let error as KubernetesError {
            throw GrantError(error, while: "creating \(R.kind) \(object.key)")
        }
    }

    /// The object if it exists and belongs to the request; throws if it belongs to someone else.
    private func existing<R: KubeResource>(
        _ type: R.Type, name: String, namespace: String?, uid: String
    ) async throws -> R? {
        let object: R
        do {
            object = try await client.get(R.self, name: name, namespace: namespace)
        } catch let error as KubernetesError where error.isNotFound {
            return nil
        } catch let error as KubernetesError {
            throw GrantError(error, while: "reading \(R.kind) \(namespace.map { "\($0)/" } ?? "")\(name)")
        }
        guard object.metadata.labels?[AirlockConstants.Label.requestUID] == uid else {
            throw GrantError.terminal(
                "\(R.kind) \(object.key) exists but does not belong to this request: refusing to use it")
        }
        return object
    }

    static func ref<R: KubeResource>(_ object: R) -> GrantRef {
        GrantRef(
            apiVersion: R.apiVersion, kind: R.kind, namespace: object.metadata.namespace,
            name: object.metadata.name ?? "", uid: object.metadata.uid)
    }
}
