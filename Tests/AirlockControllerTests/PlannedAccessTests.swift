import AirlockChat
import Foundation
import KubeCore
import Testing

@testable import AirlockController

/// An object found under a grant object's name is judged by the access it gives (the cluster
/// side is `SquatAttackTests`).
@Suite struct PlannedAccessTests {
    let planned = Role(
        metadata: ObjectMeta(name: "airlock-x-1234", namespace: "apps"),
        rules: [PolicyRule(apiGroups: [""], resources: ["pods"], verbs: ["delete"], resourceNames: ["web-0"])])

    @Test func theSameRulesAsTheAPIServerReturnsThemAreTheSameAccess() {
        var found = planned
        found.metadata.labels = ["anything": "at all"]
        found.rules = [PolicyRule(apiGroups: [""], resources: ["pods"], verbs: ["delete"], resourceNames: ["web-0"])]
        #expect(planned.accessDifference(from: found) == nil)
        var emptyLists = Role(
            metadata: planned.metadata, rules: [PolicyRule(apiGroups: [""], resources: [], verbs: ["get"])])
        let omitted = Role(
            metadata: planned.metadata, rules: [PolicyRule(apiGroups: [""], resources: nil, verbs: ["get"])])
        #expect(emptyLists.accessDifference(from: omitted) == nil)
        emptyLists.rules = []
        #expect(emptyLists.accessDifference(from: Role(metadata: planned.metadata, rules: [])) == nil)
    }

    @Test func anyOtherRuleIsAnotherAccess() {
        for rule in [
            PolicyRule(apiGroups: [""], resources: ["pods"], verbs: ["delete"]),  // every pod
            PolicyRule(apiGroups: [""], resources: ["pods"], verbs: ["delete", "get"], resourceNames: ["web-0"]),
            PolicyRule(apiGroups: ["*"], resources: ["pods"], verbs: ["delete"], resourceNames: ["web-0"]),
        ] {
            #expect(planned.accessDifference(from: Role(metadata: planned.metadata, rules: [rule])) != nil)
        }
        let twice = Role(metadata: planned.metadata, rules: (planned.rules ?? []) + (planned.rules ?? []))
        #expect(planned.accessDifference(from: twice) != nil)
    }

    @Test func anAggregatingClusterRoleIsAnotherAccessWhateverItsRules() {
        let role = ClusterRole(metadata: ObjectMeta(name: "c"), rules: planned.rules ?? [])
        var found = role
        found.aggregationRule = AggregationRule(clusterRoleSelectors: [LabelSelectorSpec(matchLabels: ["a": "b"])])
        #expect(role.accessDifference(from: role) == nil)
        #expect(role.accessDifference(from: found) == "an aggregation rule")
    }

    @Test func bindingsAreJudgedByTheirSubjectsAndRole() {
        let binding = RoleBinding(
            metadata: ObjectMeta(name: "b", namespace: "apps"), subjects: [.serviceAccount("sa", namespace: "apps")],
            roleRef: RoleRef(kind: "Role", name: "airlock-x-1234"))
        var asReturned = binding
        asReturned.subjects = [RBACSubject(kind: "ServiceAccount", name: "sa", namespace: "apps", apiGroup: nil)]
        #expect(binding.accessDifference(from: asReturned) == nil)
        var more = binding
        more.subjects?.append(.user("mallory"))
        #expect(binding.accessDifference(from: more) == "subjects ServiceAccount sa, User mallory")
        var other = binding
        other.roleRef = RoleRef(kind: "ClusterRole", name: "cluster-admin")
        #expect(binding.accessDifference(from: other) == "role ClusterRole cluster-admin")
    }

    @Test func aTokensSubjectIsReadFromItsClaims() {
        func token(_ claims: String) -> String {
            "\(Base64URL.encode(Data(#"{"alg":"RS256"}"#.utf8))).\(Base64URL.encode(Data(claims.utf8))).c2ln"
        }
        #expect(
            ServiceAccountTokenSubject.of(token(#"{"sub":"system:serviceaccount:apps:sa","iss":"k"}"#))
                == "system:serviceaccount:apps:sa")
        #expect(ServiceAccountTokenSubject.of(token(#"{"iss":"k"}"#)) == nil)
        #expect(ServiceAccountTokenSubject.of(token("not json")) == nil)
        #expect(ServiceAccountTokenSubject.of("only.two") == nil)
        #expect(ServiceAccountTokenSubject.of("a.!!.c") == nil)
        #expect(ServiceAccountTokenSubject.of("") == nil)
    }
}
