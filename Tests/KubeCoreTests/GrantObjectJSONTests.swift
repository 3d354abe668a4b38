import Foundation
import KubeCore
import Testing

/// The hand-written JSON of the objects every grant and Event creates writes the bytes of
/// their `Encodable` conformance.
@Suite struct GrantObjectJSONTests {
    private func sameBytes<T: Encodable & JSONWritable>(_ value: T) throws {
        let expected = String(decoding: try KubeJSON.encoder().encode(value), as: UTF8.self)
        #expect(String(decoding: value.jsonBytes, as: UTF8.self) == expected)
        #expect(String(decoding: try KubeJSON.encode(value), as: UTF8.self) == expected)
    }

    static let fullMetadata: ObjectMeta = {
        var metadata = ObjectMeta(
            name: "airlock-req-1", namespace: "prod",
            labels: ["app.kubernetes.io/managed-by": "airlock", "airlock.dev/request": "req-1", "B": "\"q\""],
            annotations: ["airlock.dev/reason": "restart\n<db> & \\ é🔐", "a10": "", "a9": "x"],
            ownerReferences: [
                OwnerReference(
                    apiVersion: "airlock.dev/v1alpha1", kind: "ActionRequest", name: "req-1", uid: "u-1",
                    controller: true, blockOwnerDeletion: false),
                OwnerReference(apiVersion: "v1", kind: "ServiceAccount", name: "sa", uid: "u-2"),
            ],
            finalizers: ["airlock.dev/grants", ""])
        metadata.generateName = "airlock-"
        metadata.uid = "u-3"
        metadata.resourceVersion = "12"
        metadata.generation = -1
        metadata.creationTimestamp = Date(timeIntervalSince1970: 1_796_320_800.000_001)
        metadata.deletionTimestamp = Date(timeIntervalSince1970: 0.999_999_9)
        return metadata
    }()

    static let metadatas = [ObjectMeta(), ObjectMeta(name: "a", namespace: "b"), fullMetadata]

    @Test func rolesAndBindings() throws {
        let rules = [
            PolicyRule(
                apiGroups: [""], resources: ["pods", "pods/exec"], verbs: ["get", "delete"], resourceNames: ["db-0"]),
            PolicyRule(apiGroups: nil, resources: nil, verbs: ["get"], nonResourceURLs: ["/healthz", "/api/*"]),
            PolicyRule(apiGroups: [], resources: [], verbs: []),
        ]
        let subjects = [
            RBACSubject.user("alice"), .group("system:masters"), .serviceAccount("bot", namespace: "agents"),
            RBACSubject(kind: "User", name: "x"),
        ]
        for metadata in Self.metadatas {
            var role = Role(metadata: metadata, rules: rules)
            try sameBytes(role)
            role.rules = nil
            try sameBytes(role)
            role.apiVersion = nil
            role.kind = nil
            try sameBytes(role)
            var binding = RoleBinding(metadata: metadata, subjects: subjects, roleRef: RoleRef(kind: "Role", name: "r"))
            try sameBytes(binding)
            binding.subjects = nil
            try sameBytes(binding)
            try sameBytes(
                ClusterRoleBinding(metadata: metadata, subjects: [], roleRef: RoleRef(kind: "ClusterRole", name: "c")))
        }
    }

    @Test func events() throws {
        let regarding = ObjectReference(
            apiVersion: "airlock.dev/v1alpha1", kind: "ActionRequest", name: "req-1", namespace: "agents", uid: "u")
        for metadata in Self.metadatas {
            var event = Event(
                metadata: metadata, eventTime: Date(timeIntervalSince1970: 1_796_320_800.123_456),
                reportingController: "airlock.dev/controller", reportingInstance: "airlock-0", action: "Grant",
                reason: "Granted", regarding: regarding, note: "granted for 15m: \"pods\" <delete>", type: "Normal")
            try sameBytes(event)
            event.note = nil
            event.series = Event.Series(count: 3, lastObservedTime: Date(timeIntervalSince1970: 5))
            event.regarding = ObjectReference(apiVersion: nil, kind: nil, name: nil, namespace: nil, uid: nil)
            event.regarding.resourceVersion = "7"
            try sameBytes(event)
        }
    }
}
