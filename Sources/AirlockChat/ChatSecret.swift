import Foundation

/// A secret (Slack bot token, Slack signing secret, webhook secret) that never prints: its
/// description, debug description and mirror are `<redacted>`, so neither logs, error
/// messages nor `dump` can show it.
///
/// Load secrets from a mounted Kubernetes Secret (``init(contentsOfFile:)``), never from
/// flags or environment dumps.
public struct ChatSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The secret's bytes (for a Slack token or signing secret: its UTF-8 text).
    let bytes: [UInt8]

    /// A secret from its text (a `xoxb-` token, a signing secret).
    public init(_ text: String) {
        self.bytes = Array(text.utf8)
    }

    /// A secret from raw bytes (a decoded `whsec_` webhook secret).
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads a secret from a file (a mounted Secret key), dropping a trailing newline.
    /// The error names the file, never its content.
    public init(contentsOfFile path: String) throws(ChatError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ChatError(.invalidInput, "cannot read the secret file \(path): check the Secret volume mount")
        }
        var bytes = [UInt8](data)
        while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
        guard !bytes.isEmpty else {
            throw ChatError(.invalidInput, "the secret file \(path) is empty: check the Secret's key")
        }
        self.bytes = bytes
    }

    /// The secret as UTF-8 text (for the `Authorization` header).
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Whether the secret is empty.
    public var isEmpty: Bool { bytes.isEmpty }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
