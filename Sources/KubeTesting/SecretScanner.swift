import Foundation

/// Finds credentials in text (log lines, files): known secret values, and the shapes every
/// credential Airlock handles has — Slack tokens (`xoxb-`…), JWTs (ServiceAccount tokens),
/// PEM private keys, kubeconfig key data, Standard Webhooks secrets (`whsec_`). A finding
/// names what was found, never the value.
public struct SecretScanner: Sendable {
    /// Known values (at least 8 characters) and what each is.
    public private(set) var known: [String: String] = [:]

    /// Shapes of credentials, by name.
    static let patterns: [(name: String, regex: NSRegularExpression)] = [
        ("a Slack token", #"xox[abposr]-[A-Za-z0-9-]{6,}"#),
        ("a JWT", #"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}"#),
        ("a PEM private key", #"-----BEGIN [A-Z ]*PRIVATE KEY-----"#),
        ("kubeconfig key data", #"client-key-data"#),
        ("a Standard Webhooks secret", #"whsec_[A-Za-z0-9+/=]{8,}"#),
    ].map { ($0.0, try! NSRegularExpression(pattern: $0.1)) }

    public init(known: [String: String] = [:]) {
        for (value, name) in known { add(value, as: name) }
    }

    /// Adds a known secret value; ignores values too short to search for.
    public mutating func add(_ value: String, as name: String) {
        guard value.utf8.count >= 8 else { return }
        known[value] = name
    }

    /// What `text` contains: the names of known secrets and of credential shapes.
    public func findings(in text: String) -> [String] {
        var found = known.filter { text.contains($0.key) }.map(\.value).sorted()
        // The shapes' first characters are rare in log lines: check before running a regex.
        guard
            text.contains("xox") || text.contains("eyJ") || text.contains("PRIVATE KEY") || text.contains("key-data")
                || text.contains("whsec_")
        else { return found }
        let range = NSRange(text.startIndex..., in: text)
        for (name, regex) in Self.patterns where regex.firstMatch(in: text, range: range) != nil {
            found.append(name)
        }
        return found
    }
}
