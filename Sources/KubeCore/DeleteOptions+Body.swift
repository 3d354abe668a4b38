import Foundation

extension DeleteOptions {
    /// The JSON body, written directly: the same bytes as ``KubeJSON/encode(_:)`` (sorted
    /// keys, nils omitted) for a fraction of the cost of the generic encoder, as every
    /// delete sends one.
    public var jsonBody: Data {
        var text = "{\"apiVersion\":" + JSONText.quoted(apiVersion)
        if let gracePeriodSeconds { text += ",\"gracePeriodSeconds\":" + String(gracePeriodSeconds) }
        text += ",\"kind\":" + JSONText.quoted(kind)
        if let preconditions {
            var members: [String] = []
            if let version = preconditions.resourceVersion {
                members.append("\"resourceVersion\":" + JSONText.quoted(version))
            }
            if let uid = preconditions.uid { members.append("\"uid\":" + JSONText.quoted(uid)) }
            text += ",\"preconditions\":{" + members.joined(separator: ",") + "}"
        }
        if let propagationPolicy { text += ",\"propagationPolicy\":" + JSONText.quoted(propagationPolicy.rawValue) }
        return Data((text + "}").utf8)
    }
}

/// JSON text written by hand, escaped as `JSONEncoder` escapes it (slashes left as they are).
public enum JSONText {
    /// `string` as a JSON string literal, quotes included.
    public static func quoted(_ string: String) -> String {
        guard string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            return "\"" + string + "\""
        }
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
