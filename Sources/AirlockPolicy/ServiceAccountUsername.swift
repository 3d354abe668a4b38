/// The username Kubernetes gives a ServiceAccount: `system:serviceaccount:<namespace>:<name>`.
public enum ServiceAccountUsername {
    static let prefix = "system:serviceaccount:"

    /// `system:serviceaccount:<namespace>:<name>`.
    public static func username(namespace: String, name: String) -> String {
        "\(prefix)\(namespace):\(name)"
    }

    /// The namespace and name of a ServiceAccount username; nil for any other username.
    public static func parse(_ username: String) -> (namespace: String, name: String)? {
        guard username.hasPrefix(prefix) else { return nil }
        let parts = username.dropFirst(prefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}
