import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Yams

/// kubectl for the manifest tests: the v1.20.2 one `hack/kube-assets.sh` builds beside the API
/// server (its kustomize is v2.0.3, the oldest these manifests are written for), else one on
/// PATH. Runs under ``CLIRunner`` (watchdog, stdout and stderr apart).
struct Kubectl {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The kustomizations `kubectl apply -k` installs.
    static let kustomizations = ["manifests", "overlays/cert-manager", "overlays/namespaced"]

    /// Every example manifest, namespaces first.
    static func examples() throws -> [String] {
        var files: [String] = []
        for directory in ["examples/rbac", "examples/policies"] {
            let names = try FileManager.default.contentsOfDirectory(
                atPath: repository.appendingPathComponent(directory).path)
            let yaml = names.filter { $0.hasSuffix(".yaml") }.sorted()
            // Namespaces first: a dry run does not create them for the objects after.
            files += (yaml.filter { $0 == "namespaces.yaml" } + yaml.filter { $0 != "namespaces.yaml" }).map {
                "\(directory)/\($0)"
            }
        }
        return files
    }

    let path: String
    let runner: CLIRunner

    init(plane: TestControlPlane) throws {
        let environment = ProcessInfo.processInfo.environment
        let candidates =
            [environment["KUBEBUILDER_ASSETS"], NSHomeDirectory() + "/.cache/airlock/kube-assets"].compactMap {
                $0.map { $0 + "/kubectl" }
            } + (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/kubectl" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw KubeTestingError(.missingBinaries, "no kubectl: run hack/kube-assets.sh (it builds v1.20.2)")
        }
        path = found
        runner = try CLIRunner(plane: plane)
    }

    /// `kubectl ARGUMENTS`, as the control plane's admin when `cluster`.
    func run(_ arguments: [String], cluster: Bool = true) async throws -> CLIRunner.Result {
        try await runner.start(arguments, as: cluster ? "admin" : nil, executable: path).result(timeout: .seconds(120))
    }

    /// `kubectl kustomize DIRECTORY` (relative to the repository).
    func kustomize(_ directory: String) async throws -> String {
        let result = try await run(
            ["kustomize", Self.repository.appendingPathComponent(directory).path], cluster: false)
        guard result.code == 0 else { throw KubeTestingError(.other, "kubectl kustomize \(directory): \(result)") }
        return result.stdout
    }

    /// Writes `text` to a file of the runner's directory (nil: makes a directory).
    func file(_ name: String, _ text: String?) throws -> String {
        let url = runner.directory.appendingPathComponent(name)
        if let text {
            try Data(text.utf8).write(to: url)
        } else {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        return url.path
    }

    /// The YAML documents of `text` (empty ones dropped).
    static func documents(_ text: String) throws -> [JSONValue] {
        try Yams.load_all(yaml: text).compactMap { document -> JSONValue? in
            guard document is [String: Any] else { return nil }
            let data = try JSONSerialization.data(withJSONObject: document)
            return try KubeJSON.decode(JSONValue.self, from: data)
        }
    }
}
