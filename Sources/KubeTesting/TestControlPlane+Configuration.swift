import AirlockAPI
import Foundation
import KubeCore

extension TestControlPlane {
    /// A user of the static token file: a name and its groups.
    public struct User: Sendable, Hashable {
        public var name: String
        public var groups: [String]

        public init(_ name: String, groups: [String] = []) {
            self.name = name
            self.groups = groups
        }
    }

    /// How a control plane is set up.
    public struct Configuration: Sendable {
        /// The user `adminClient` acts as; always in group `system:masters`.
        public var adminUser: String
        /// The token users besides the admin.
        public var users: [User]
        /// The directory with `kube-apiserver` and `etcd`; nil: `KUBEBUILDER_ASSETS`, else
        /// `AIRLOCK_ASSETS_DIR`, else `$HOME/.cache/airlock/kube-assets` (where
        /// `hack/kube-assets.sh` puts them).
        public var assetsDirectory: String?
        /// Installed and waited for (Established) once the API server is ready.
        public var customResourceDefinitions: [CustomResourceDefinition]
        /// How long start-up (and a restart) may take until `/readyz` answers ok.
        public var startTimeout: Duration
        /// Appended to kube-apiserver's flags (later flags win).
        public var extraAPIServerFlags: [String]
        /// Has kube-apiserver's Go runtime log each garbage collection (`GODEBUG=gctrace=1`),
        /// for ``TestControlPlane/apiServerCollections()``.
        public var traceAPIServerCollections: Bool

        public init(
            adminUser: String = "admin", users: [User] = Configuration.defaultUsers, assetsDirectory: String? = nil,
            customResourceDefinitions: [CustomResourceDefinition] = Configuration.defaultCustomResourceDefinitions,
            startTimeout: Duration = .seconds(60), extraAPIServerFlags: [String] = [],
            traceAPIServerCollections: Bool = false
        ) {
            self.adminUser = adminUser
            self.users = users
            self.assetsDirectory = assetsDirectory
            self.customResourceDefinitions = customResourceDefinitions
            self.startTimeout = startTimeout
            self.extraAPIServerFlags = extraAPIServerFlags
            self.traceAPIServerCollections = traceAPIServerCollections
        }

        /// `alice` (group `dev`), `bob` and `carol` (group `reviewers`), `dave` (no group)
        /// and `controller` (no group; tests grant it what Airlock's controller needs).
        public static let defaultUsers: [User] = [
            User("alice", groups: ["dev"]),
            User("bob", groups: ["reviewers"]),
            User("carol", groups: ["reviewers"]),
            User("dave"),
            User("controller"),
        ]

        /// Airlock's CRDs without CEL rules (v1.20 drops `x-kubernetes-validations`
        /// without enforcing them).
        public static var defaultCustomResourceDefinitions: [CustomResourceDefinition] {
            AirlockCRDs.customResourceDefinitions(includeCELRules: false)
        }
    }
}

extension TestControlPlane.Configuration {
    /// The directory holding `kube-apiserver` and `etcd`, or a `.missingBinaries` error
    /// saying how to get them.
    func resolveAssets() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        let directory: String
        let source: String
        if let assetsDirectory {
            (directory, source) = (assetsDirectory, "the configuration")
        } else if let assets = environment["KUBEBUILDER_ASSETS"], !assets.isEmpty {
            (directory, source) = (assets, "KUBEBUILDER_ASSETS")
        } else if let assets = environment["AIRLOCK_ASSETS_DIR"], !assets.isEmpty {
            (directory, source) = (assets, "AIRLOCK_ASSETS_DIR")
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            (directory, source) = ("\(home)/.cache/airlock/kube-assets", "the default location")
        }
        let missing = ["kube-apiserver", "etcd"].filter {
            !FileManager.default.isExecutableFile(atPath: "\(directory)/\($0)")
        }
        guard missing.isEmpty else {
            throw KubeTestingError(
                .missingBinaries,
                "no \(missing.joined(separator: " and ")) in \(directory) (from \(source)): run `hack/kube-assets.sh` "
                    + "once (it builds kube-apiserver v1.20.2 and caches both binaries), or set KUBEBUILDER_ASSETS "
                    + "to a directory holding kube-apiserver and etcd")
        }
        return URL(fileURLWithPath: directory)
    }
}
