import AirlockAPI
import AirlockController
import Foundation
import KubeCore
import Testing

@Suite struct GrantPlannerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let planner = GrantPlanner()

    func request(
        credential: CredentialMode? = nil, permissions: [PermissionRule]? = nil, roleRef: TargetRoleRef? = nil,
        requester: String = "alice", subject: RBACSubject? = nil
    ) -> ActionRequest {
        var request = ActionRequest(
            metadata: ObjectMeta(name: "fix-db", namespace: "team"),
            spec: ActionRequestSpec(
                reason: "r", duration: KubeDuration(seconds: 900), permissions: permissions, roleRef: roleRef,
                credential: credential, subject: subject, requester: Identity(username: requester)))
        request.metadata.uid = "uid-1"
        return request
    }

    let deletePod = PermissionRule(
        namespace: "prod", apiGroups: [""], resources: ["pods"], verbs: ["delete"], resourceNames: ["db-0"])

    @Test func ephemeralGrantHasExactlyTheRequestedRulesAndAPrivateCredential() throws {
        let plan = try planner.plan(
            request: request(permissions: [deletePod]), duration: KubeDuration(seconds: 900), now: now)
        let account = try #require(plan.serviceAccount)
        #expect(account.metadata.namespace == "team")
        #expect(account.automountServiceAccountToken == false)
        #expect(plan.grantee == .serviceAccount(account.metadata.name!, namespace: "team"))
        #expect(plan.expiresAt == now.addingTimeInterval(900))

        let target = try #require(plan.roles.first { $0.metadata.namespace == "prod" })
        #expect(
            target.rules == [
                PolicyRule(apiGroups: [""], resources: ["pods"], verbs: ["delete"], resourceNames: ["db-0"])
            ])
        let binding = try #require(plan.roleBindings.first { $0.metadata.namespace == "prod" })
        #expect(binding.subjects == [plan.grantee])
        #expect(binding.roleRef == RoleRef(kind: "Role", name: target.metadata.name!))

        // The credential Secret is readable by the requester only, by name.
        let secretName = try #require(plan.credentialSecretName)
        let reader = try #require(plan.roles.first { $0.metadata.namespace == "team" })
        #expect(
            reader.rules == [
                PolicyRule(apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: [secretName])
            ])
        let readerBinding = try #require(plan.roleBindings.first { $0.metadata.namespace == "team" })
        #expect(readerBinding.subjects == [.user("alice")])
        #expect(plan.clusterRoles.isEmpty && plan.clusterRoleBindings.isEmpty)
    }

    @Test func everyObjectIsLabelledAnnotatedAndOwnedWhereItCanBe() throws {
        let plan = try planner.plan(
            request: request(permissions: [deletePod]), duration: KubeDuration(seconds: 60), now: now)
        let metas = [plan.serviceAccount!.metadata] + plan.roles.map(\.metadata) + plan.roleBindings.map(\.metadata)
        for meta in metas {
            #expect(meta.labels?["app.kubernetes.io/managed-by"] == "airlock")
            #expect(meta.labels?["airlock.dev/request-namespace"] == "team")
            #expect(meta.labels?["airlock.dev/request-name"] == "fix-db")
            #expect(meta.labels?["airlock.dev/request-uid"] == "uid-1")
            #expect(
                meta.annotations?["airlock.dev/expires-at"]
                    == RFC3339.format(now.addingTimeInterval(60), fractional: true))
            // ownerReferences cannot cross namespaces.
            if meta.namespace == "team" {
                #expect(meta.ownerReferences?.first?.uid == "uid-1")
                #expect(meta.ownerReferences?.first?.kind == "ActionRequest")
            } else {
                #expect(meta.ownerReferences == nil)
            }
        }
    }

    @Test func namesAreDeterministicAndDistinct() throws {
        let first = try planner.plan(
            request: request(permissions: [deletePod]), duration: KubeDuration(seconds: 60), now: now)
        let again = try planner.plan(
            request: request(permissions: [deletePod]), duration: KubeDuration(seconds: 60),
            now: now.addingTimeInterval(5))
        #expect(first.serviceAccount?.metadata.name == again.serviceAccount?.metadata.name)
        #expect(first.roles.map(\.metadata.name) == again.roles.map(\.metadata.name))
        let names = GrantPlanner.objectName(request: "fix-db", uid: "uid-1", purpose: "grantee")
        #expect(names.hasPrefix("airlock-fix-db-"))
        #expect(names != GrantPlanner.objectName(request: "fix-db", uid: "uid-2", purpose: "grantee"))
        let long = GrantPlanner.objectName(request: String(repeating: "a", count: 200), uid: "u", purpose: "p")
        #expect(long.count <= 63)
    }

    @Test func oneRolePerTargetNamespaceAndClusterRulesInAClusterRole() throws {
        let rules = [
            deletePod,
            PermissionRule(namespace: "prod", apiGroups: ["apps"], resources: ["deployments"], verbs: ["patch"]),
            PermissionRule(namespace: "staging", apiGroups: [""], resources: ["pods"], verbs: ["get"]),
            PermissionRule(namespace: nil, apiGroups: [""], resources: ["nodes"], verbs: ["get"]),
        ]
        let plan = try planner.plan(
            request: request(credential: .subject, permissions: rules), duration: KubeDuration(seconds: 60), now: now)
        #expect(plan.serviceAccount == nil)
        #expect(plan.credentialSecretName == nil)
        #expect(plan.roles.map(\.metadata.namespace) == ["prod", "staging"])
        #expect(plan.roles[0].rules?.count == 2)
        #expect(plan.clusterRoles.first?.rules == [PolicyRule(apiGroups: [""], resources: ["nodes"], verbs: ["get"])])
        #expect(plan.clusterRoleBindings.first?.subjects == [.user("alice")])
    }

    @Test func roleRefGrantsASnapshotNotTheNamedRole() throws {
        let rules = [PolicyRule(apiGroups: [""], resources: ["pods"], verbs: ["get", "list"])]
        let view = RoleSnapshot(kind: .clusterRole, name: "view", namespace: nil, rules: rules)
        let namespaced = try planner.plan(
            request: request(roleRef: TargetRoleRef(kind: .clusterRole, name: "view", namespace: "prod")),
            duration: KubeDuration(seconds: 60), now: now, role: view)
        let binding = try #require(namespaced.roleBindings.first { $0.metadata.namespace == "prod" })
        let role = try #require(namespaced.roles.first { $0.metadata.namespace == "prod" })
        #expect(role.rules == rules)
        #expect(binding.roleRef == RoleRef(kind: "Role", name: role.metadata.name ?? ""))
        #expect(role.metadata.labels?[AirlockConstants.Label.requestUID] != nil)
        let clusterWide = try planner.plan(
            request: request(
                credential: .subject, roleRef: TargetRoleRef(kind: .clusterRole, name: "view", namespace: nil)),
            duration: KubeDuration(seconds: 60), now: now, role: view)
        let clusterRole = try #require(clusterWide.clusterRoles.first)
        #expect(clusterRole.rules == rules)
        #expect(
            clusterWide.clusterRoleBindings.first?.roleRef
                == RoleRef(kind: "ClusterRole", name: clusterRole.metadata.name ?? ""))
        #expect(throws: GrantPlanError("spec.roleRef: the rules of ClusterRole view are not known")) {
            try planner.plan(
                request: request(roleRef: TargetRoleRef(kind: .clusterRole, name: "view", namespace: "prod")),
                duration: KubeDuration(seconds: 60), now: now)
        }
        #expect(throws: GrantPlanError("spec.roleRef: a Role needs a namespace")) {
            try planner.plan(
                request: request(roleRef: TargetRoleRef(kind: .role, name: "x", namespace: nil)),
                duration: KubeDuration(seconds: 60), now: now)
        }
    }

    @Test func subjectCredentialBindsTheRequesterOnly() throws {
        let account = "system:serviceaccount:agents:bot"
        let plan = try planner.plan(
            request: request(credential: .subject, permissions: [deletePod], requester: account),
            duration: KubeDuration(seconds: 60), now: now)
        #expect(plan.grantee == .serviceAccount("bot", namespace: "agents"))
        #expect(throws: GrantPlanError.self) {
            try planner.plan(
                request: request(credential: .subject, permissions: [deletePod], subject: .user("mallory")),
                duration: KubeDuration(seconds: 60), now: now)
        }
        let named = try planner.plan(
            request: request(credential: .subject, permissions: [deletePod], subject: .user("alice")),
            duration: KubeDuration(seconds: 60), now: now)
        #expect(named.grantee == .user("alice"))
    }

    @Test func anEmptyRequestIsRefused() {
        #expect(throws: GrantPlanError.self) {
            try planner.plan(request: request(permissions: []), duration: KubeDuration(seconds: 60), now: now)
        }
    }

    @Test func credentialSecretHasAReadyKubeconfig() throws {
        let plan = try planner.plan(
            request: request(permissions: [deletePod]), duration: KubeDuration(seconds: 60), now: now)
        let secret = try #require(
            planner.credentialSecret(
                plan: plan, namespace: "team", token: "tok", server: "https://k:6443",
                certificateAuthorityPEM: Array("CA".utf8)))
        #expect(secret.metadata.name == plan.credentialSecretName)
        #expect(Set(secret.data?.keys ?? [:].keys) == ["token", "ca.crt", "namespace", "server", "kubeconfig"])
        let kubeconfig = String(decoding: secret.data?["kubeconfig"] ?? Data(), as: UTF8.self)
        #expect(kubeconfig.contains("server: https://k:6443"))
        #expect(kubeconfig.contains("certificate-authority-data: \(Data("CA".utf8).base64EncodedString())"))
        #expect(kubeconfig.contains("token: tok"))
        #expect(kubeconfig.contains("namespace: team"))
    }
}
