import Foundation

/// `application/x-www-form-urlencoded`, as Slack sends interactions.
enum FormURLEncoding {
    /// Characters left as they are (RFC 3986 unreserved).
    private static let unreserved: Set<UInt8> = Set(
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))

    /// Percent-encodes everything but unreserved characters.
    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.append(Character(UnicodeScalar(byte)))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// `key=value&…` with both sides escaped.
    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// Decodes a form body; the first occurrence of a key wins.
    ///
    /// - Throws: ``ChatError`` (`.malformedPayload`) on bad percent-escapes or non-UTF-8 text.
    static func decode(_ body: some Collection<UInt8>) throws(ChatError) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let key = try unescape(parts[0])
            let value = parts.count > 1 ? try unescape(parts[1]) : ""
            if fields[key] == nil { fields[key] = value }
        }
        return fields
    }

    private static func unescape(_ bytes: some Collection<UInt8>) throws(ChatError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): out.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw ChatError(.malformedPayload, "the form body has a bad percent-escape")
                }
                out.append(high << 4 | low)
            default: out.append(byte)
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else {
            throw ChatError(.malformedPayload, "the form body is not UTF-8")
        }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: byte - 48
        case 97...102: byte - 87
        case 65...70: byte - 55
        default: nil
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
