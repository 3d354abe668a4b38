import AirlockAPI
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// `kubectl apply -k manifests/ --dry-run=server` (and each overlay and example) against the
/// real API server: the objects are decoded, defaulted, validated (CRD schemas for the
/// examples' ApprovalPolicies) and admitted, and nothing is stored.
@Suite(.serialized) struct ManifestTests {
    /// Kinds the test API server (v1.20.2) does not serve, left to the schema check
    /// (``ManifestSchemaTests``): PodDisruptionBudget `policy/v1` is 1.21+.
    static let newerThanTestServer: Set<String> = ["policy/v1 PodDisruptionBudget"]

    @Test(arguments: Kubectl.kustomizations)
    func kustomizationPassesServerSideDryRun(_ directory: String) async throws {
        let plane = try await TestControlPlane.shared()
        let kubectl = try Kubectl(plane: plane)
        try await Self.prepare(plane.adminClient)
        let rendered = try await kubectl.kustomize(directory)
        try await Self.dryRun(rendered, named: directory, kubectl: kubectl, admin: plane.adminClient)
    }

    @Test func examplesPassServerSideDryRun() async throws {
        let plane = try await TestControlPlane.shared()
        let kubectl = try Kubectl(plane: plane)
        try await Self.prepare(plane.adminClient)
        let files = try Kubectl.examples()
        #expect(files.count >= 6, "\(files)")
        for file in files {
            let text = try String(contentsOf: Kubectl.repository.appendingPathComponent(file), encoding: .utf8)
            try await Self.dryRun(text, named: file, kubectl: kubectl, admin: plane.adminClient)
        }
    }

    /// The check can fail: a policy the CRD schema refuses and a Deployment with a string for
    /// replicas are rejected by the same dry run, and the policy is not created.
    @Test func dryRunRejectsBrokenManifests() async throws {
        let plane = try await TestControlPlane.shared()
        let kubectl = try Kubectl(plane: plane)
        try await Self.prepare(plane.adminClient)
        let broken = """
            apiVersion: airlock.dev/v1alpha1
            kind: ApprovalPolicy
            metadata:
              name: broken-example
            spec:
              match: {}
              decision: Maybe
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: broken
              namespace: airlock-system
            spec:
              replicas: two
              selector: {matchLabels: {app: x}}
              template:
                metadata: {labels: {app: x}}
                spec: {containers: [{name: x, image: x}]}
            """
        let path = try kubectl.file("broken.yaml", broken)
        let result = try await kubectl.run(["apply", "--dry-run=server", "--validate=false", "-f", path])
        #expect(result.code != 0, "\(result)")
        #expect(result.stderr.contains("decision"), "\(result)")
        #expect(result.stderr.contains("replicas") || result.stderr.contains("ReadInt"), "\(result)")
        await #expect(throws: KubernetesError.self) {
            _ = try await plane.adminClient.get(ApprovalPolicy.self, name: "broken-example")
        }
    }

    // MARK: Helpers

    /// A dry run creates no namespace, so the namespaced objects need theirs; the cert-manager
    /// overlay needs cert-manager's CRDs (stand-ins that accept any spec).
    static func prepare(_ admin: KubernetesClient) async throws {
        for name in ["airlock-system", "agents", "prod"] {
            do { _ = try await admin.create(Namespace(name: name)) } catch let error as KubernetesError
                where error.isAlreadyExists
            {}
        }
        for (plural, kind) in [("issuers", "Issuer"), ("certificates", "Certificate")] {
            let crd: JSONValue = [
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": ["name": .string("\(plural).cert-manager.io")],
                "spec": [
                    "group": "cert-manager.io", "scope": "Namespaced",
                    "names": ["plural": .string(plural), "kind": .string(kind)],
                    "versions": [
                        [
                            "name": "v1", "served": true, "storage": true,
                            "schema": [
                                "openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
                            ],
                        ]
                    ],
                ],
            ]
            let answer = try await admin.raw(
                KubeRequest(
                    method: .post, path: "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                    body: try KubeJSON.encode(crd), contentType: "application/json"))
            #expect([201, 409].contains(answer.status), "\(String(decoding: answer.body, as: UTF8.self))")
        }
        try await eventually("cert-manager stand-in CRDs served", timeout: .seconds(20)) {
            try await isServed("cert-manager.io/v1", admin)
        }
    }

    /// Dry-runs every document the test server serves; the others must be known newer kinds.
    static func dryRun(_ text: String, named name: String, kubectl: Kubectl, admin: KubernetesClient) async throws {
        var served: [JSONValue] = []
        var skipped: Set<String> = []
        for document in try Kubectl.documents(text) {
            let apiVersion = document["apiVersion"]?.stringValue ?? ""
            if try await isServed(apiVersion, admin) {
                served.append(document)
            } else {
                skipped.insert("\(apiVersion) \(document["kind"]?.stringValue ?? "")")
            }
        }
        #expect(skipped.isSubset(of: newerThanTestServer), "\(name): not served by the test API server: \(skipped)")
        #expect(!served.isEmpty, "\(name) has no objects")
        // One JSON file per object, in order (kubectl reads a file starting with `{` as one JSON stream).
        let directory = try kubectl.file(name.replacingOccurrences(of: "/", with: "_"), nil)
        for (index, object) in served.enumerated() {
            try KubeJSON.encode(object).write(
                to: URL(fileURLWithPath: "\(directory)/\(String(format: "%03d", index)).json"))
        }
        // Client-side validation is left to the schema check: kubectl 1.20 does not know the
        // CRDs' `x-kubernetes-validations` (1.25+), which this API server drops.
        let result = try await kubectl.run(["apply", "--dry-run=server", "--validate=false", "-f", directory])
        #expect(result.code == 0, "\(name): \(result)")
        let accepted = result.stdout.split(separator: "\n").filter { $0.hasSuffix("(server dry run)") }
        #expect(accepted.count == served.count, "\(name): \(result)")
    }

    static func isServed(_ apiVersion: String, _ admin: KubernetesClient) async throws -> Bool {
        guard apiVersion.contains("/") else { return apiVersion == "v1" }
        return try await admin.raw(KubeRequest(method: .get, path: "/apis/\(apiVersion)")).status == 200
    }
}
