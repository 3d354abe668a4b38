import Foundation
import KubeCore
import KubeTesting
import Testing

/// Every manifest — the kustomize output of the base and each overlay, the examples, the
/// optional Slack manifests — against the Kubernetes OpenAPI schemas of the oldest and newest
/// versions Airlock supports (1.25: CEL validation rules on by default; 1.37), strictly:
/// unknown fields are errors. The checker is the PyPI package `kubernetes-validate`
/// (`.ci/run` pins it). Custom resources it has no schema for (ApprovalPolicy, cert-manager's)
/// are checked by the server-side dry run against their CRDs (``ManifestTests``).
@Suite struct ManifestSchemaTests {
    static let versions = ["1.25.0", "1.37.0"]
    static let customKinds: Set<String> = ["ApprovalPolicy", "Certificate", "Issuer"]

    /// Validates `documents` (name, YAML text); returns per-version errors and the kinds without a schema.
    static let script = """
        import json, sys
        try:
            import yaml, kubernetes_validate
            from kubernetes_validate import utils
        except ImportError as error:
            print("MISSING_MODULE", error, file=sys.stderr); sys.exit(3)
        job = json.load(sys.stdin)
        errors, unchecked, checked = [], set(), 0
        for item in job["documents"]:
            for document in yaml.safe_load_all(item["yaml"]):
                if not document:
                    continue
                for version in job["versions"]:
                    try:
                        kubernetes_validate.validate(document, version, strict=True)
                        checked += 1
                    except utils.SchemaNotFoundError:
                        unchecked.add(document.get("kind", "?"))
                    except utils.ValidationError as error:
                        where = "/".join(str(part) for part in error.path)
                        errors.append(f"{item['name']} {document.get('kind')} {document.get('metadata', {}).get('name')} @{version}: {where}: {error.message}")
        print(json.dumps({"errors": errors, "unchecked": sorted(unchecked), "checked": checked}))
        """

    struct Report: Decodable {
        var errors: [String]
        var unchecked: [String]
        var checked: Int
    }

    static func validate(_ documents: [(name: String, yaml: String)]) async throws -> Report {
        let job: JSONValue = [
            "versions": .array(versions.map(JSONValue.string)),
            "documents": .array(documents.map { ["name": .string($0.name), "yaml": .string($0.yaml)] }),
        ]
        let output = try await PythonPeer.run(script, input: try KubeJSON.encode(job))
        return try KubeJSON.decode(Report.self, from: Data(output.utf8))
    }

    @Test func everyManifestMatchesTheSupportedVersionsSchemas() async throws {
        let kubectl = try Kubectl(plane: try await TestControlPlane.shared())
        var documents: [(name: String, yaml: String)] = []
        for directory in Kubectl.kustomizations {
            documents.append((directory, try await kubectl.kustomize(directory)))
        }
        for file in try Kubectl.examples() + ["manifests/slack.yaml"] {
            documents.append(
                (file, try String(contentsOf: Kubectl.repository.appendingPathComponent(file), encoding: .utf8)))
        }
        let report = try await Self.validate(documents)
        #expect(report.errors.isEmpty, "\(report.errors.joined(separator: "\n"))")
        #expect(Set(report.unchecked).isSubset(of: Self.customKinds), "no schema for \(report.unchecked)")
        // Namespace, CRDs, RBAC, webhooks, Deployment, PDB, Services, NetworkPolicies, ... per version.
        #expect(report.checked >= 40, "only \(report.checked) documents checked")
    }

    /// The checker can fail: a misspelt field and a wrong type are reported for both versions.
    @Test func aBrokenManifestIsReported() async throws {
        let broken = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: broken, namespace: airlock-system}
            spec:
              replicas: two
              selector: {matchLabels: {app: x}}
              template:
                metadata: {labels: {app: x}}
                spec: {containers: [{name: x, image: x}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: misspelt, namespace: airlock-system}
            spec:
              containers:
                - name: x
                  image: x
                  securityContext: {readOnlyRootFilesytem: true}
            """
        let report = try await Self.validate([("broken.yaml", broken)])
        #expect(report.errors.count >= 4, "\(report.errors)")
        #expect(report.errors.contains { $0.contains("readOnlyRootFilesytem") }, "\(report.errors)")
        #expect(report.errors.contains { $0.contains("replicas") }, "\(report.errors)")
    }
}
