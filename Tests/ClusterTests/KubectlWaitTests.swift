import AirlockAPI
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// `kubectl wait --for=condition=Decided areq/NAME` returns for a granted and for a denied
/// request alike. There is no kubectl binary here, so the condition is evaluated the way
/// kubectl's `wait` does (k8s.io/kubectl/pkg/cmd/wait, `ConditionalWait.checkCondition`) on
/// the object as the API server serves it, unstructured.
@Suite struct KubectlWaitTests {
    /// kubectl's check: the first condition whose `type` equals `name` (case-insensitively)
    /// and has a `status` decides; not met while its observedGeneration (or the status's) is
    /// older than `metadata.generation`.
    static func kubectlConditionMet(_ object: JSONValue, name: String, status wanted: String = "True") -> Bool {
        guard case .array(let conditions)? = object["status"]?["conditions"] else { return false }
        for condition in conditions {
            guard let type = condition["type"]?.stringValue, type.lowercased() == name.lowercased(),
                let status = condition["status"]?.stringValue
            else { continue }
            if case .number(let generation)? = object["metadata"]?["generation"] {
                let observed = condition["observedGeneration"] ?? object["status"]?["observedGeneration"]
                if case .number(let seen)? = observed, seen < generation { return false }
            }
            return status.lowercased() == wanted.lowercased()
        }
        return false
    }

    /// The object as `kubectl get -o json` sees it.
    static func unstructured(_ fixture: AirlockFixture, _ name: String) async throws -> JSONValue {
        let path = RequestBuilder<ActionRequest>().path(namespace: fixture.namespace, name: name)
        let answer = try await fixture.admin.raw(KubeRequest(method: .get, path: path))
        #expect(answer.status == 200)
        return try KubeJSON.decode(JSONValue.self, from: answer.body)
    }

    @Test func decidedBecomesTrueForAGrantedAndForADeniedRequest() async throws {
        try await AirlockFixture.with("kwait") { fixture in
            try await fixture.policy(
                "auto-configmaps",
                ApprovalPolicySpec(
                    match: PolicyMatch(resources: ["configmaps"]), decision: .autoApprove,
                    maxDuration: KubeDuration(seconds: 3600)))
            try await fixture.policy(
                "no-pods", ApprovalPolicySpec(match: PolicyMatch(resources: ["pods"]), decision: .deny))
            try await fixture.request("granted-one", by: "alice")
            try await fixture.request(
                "denied-one", by: "alice",
                permissions: [
                    PermissionRule(
                        namespace: fixture.target, apiGroups: [""], resources: ["pods"], verbs: ["delete"],
                        resourceNames: ["db-0"])
                ])
            try await fixture.request(
                "pending-one", by: "alice",
                permissions: [
                    PermissionRule(
                        namespace: fixture.target, apiGroups: [""], resources: ["secrets"], verbs: ["get"],
                        resourceNames: ["s1"])
                ])

            // `kubectl wait --for=condition=Decided` ends for both, and the phase says which.
            for (name, phase) in [("granted-one", "Granted"), ("denied-one", "Denied")] {
                let object = try await eventuallyValue(
                    "\(name) Decided", timeout: .seconds(20), interval: .milliseconds(50)
                ) {
                    let object = try await Self.unstructured(fixture, name)
                    // Not `? object : nil`: JSONValue takes a nil literal itself (`.null`), which
                    // ended the wait at the first poll, before the request was decided.
                    guard Self.kubectlConditionMet(object, name: "Decided") else { return JSONValue?.none }
                    return object
                }
                #expect(object["status"]?["phase"]?.stringValue == phase, "\(object)")
                guard case .array(let conditions)? = object["status"]?["conditions"],
                    let decided = conditions.first(where: { $0["type"] == "Decided" })
                else {
                    Issue.record("\(name) has no Decided condition")
                    continue
                }
                #expect(decided["reason"]?.stringValue == phase)
                #expect(decided["message"]?.stringValue?.isEmpty == false)
                // `--for=condition=Granted` holds only for the granted one.
                #expect(Self.kubectlConditionMet(object, name: "granted") == (phase == "Granted"))
            }
            // A request waiting for reviewers is not Decided: the wait goes on.
            try await fixture.waitFor("pending-one", .pending)
            let pending = try await Self.unstructured(fixture, "pending-one")
            #expect(!Self.kubectlConditionMet(pending, name: "Decided"))
            #expect(Self.kubectlConditionMet(pending, name: "Decided", status: "False"))
        }
    }
}
