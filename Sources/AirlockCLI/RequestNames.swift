import AirlockAPI
import Foundation

/// Names for requests made without `--name`.
public enum RequestNames {
    /// `delete-pods-db-0-` from what is asked first (generateName adds 5 characters).
    public static func generateName(_ spec: ActionRequestSpec) -> String {
        var words: [String] = []
        if let rule = spec.permissions?.first {
            words.append(rule.verbs.first ?? "access")
            words.append(rule.resources.first ?? "")
            if let name = rule.resourceNames?.first { words.append(name) }
        } else if let role = spec.roleRef {
            words += [role.kind.rawValue.lowercased(), role.name]
        }
        let raw = words.joined(separator: "-").lowercased()
        var name = String(raw.map { ($0.isLetter && $0.isASCII) || $0.isNumber ? $0 : "-" })
        while name.contains("--") { name = name.replacingOccurrences(of: "--", with: "-") }
        name = String(name.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(40))
        return (name.isEmpty ? "access" : name) + "-"
    }
}
