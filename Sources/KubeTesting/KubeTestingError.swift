/// The one error type of KubeTesting: what a test needs to tell "the binaries are missing"
/// from "the control plane did not start" from "a condition never held".
public struct KubeTestingError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// kube-apiserver or etcd not found: run `hack/kube-assets.sh`.
        case missingBinaries
        /// A server process did not start or did not become ready.
        case startFailed
        /// `eventually` ran out of time.
        case timeout
        /// Anything else (unknown user, file system).
        case other
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
