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
        var bytes: [UInt8] = []
        appendQuoted(string, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `string` as a JSON string literal, quotes included.
    public static func appendQuoted(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
                case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
                case ..<0x20:
                    bytes.append(contentsOf: Array("\\u00".utf8))
                    bytes.append(Hex.digit(byte >> 4))
                    bytes.append(Hex.digit(byte & 0x0f))
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
