import Foundation
import KubeCore

/// Text for Slack's `mrkdwn` and `plain_text`: escaping (so request content cannot mention
/// `@channel` or fake links), Slack's length limits, and dates shown in each reader's time zone.
enum SlackText {
    /// Slack's limits (api.slack.com/reference/block-kit).
    enum Limit {
        static let sectionText = 3000
        static let sectionField = 2000
        static let fields = 10
        static let contextElements = 10
        static let contextText = 3000
        static let header = 150
        static let blocks = 50
        static let buttonText = 75
        static let buttonValue = 2000
        static let optionText = 75
        static let optionValue = 150
        static let placeholder = 150
        static let confirmTitle = 100
        static let confirmText = 300
        static let confirmButton = 30
        static let modalTitle = 24
        static let privateMetadata = 3000
        static let messageText = 4000
    }

    /// Escapes the three characters `mrkdwn` gives meaning to (`&`, `<`, `>`): user-supplied text
    /// can then not open a link, mention `<!channel>` or a user.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(character)
            }
        }
        return out
    }

    /// `text` as inline code: escaped, backticks replaced (they would end the span).
    static func code(_ text: String) -> String {
        "`" + escape(text.replacingOccurrences(of: "`", with: "'")) + "`"
    }

    /// Cuts `text` to at most `limit` UTF-16 units (Slack counts conservatively), ending with
    /// `…` when cut.
    static func truncate(_ text: String, _ limit: Int) -> String {
        guard text.utf16.count > limit else { return text }
        var out = ""
        var used = 1
        for character in text {
            let size = character.utf16.count
            guard used + size <= limit else { break }
            out.append(character)
            used += size
        }
        return out + "…"
    }

    /// Lines joined with newlines, as many as fit in `limit` after `heading`; the rest are
    /// summarised as `…and N more`.
    static func lines(_ lines: [String], heading: String? = nil, limit: Int = Limit.sectionText) -> String {
        // Room kept for "\n…and 99999 more" while more lines follow.
        let reserve = 24
        var out = heading ?? ""
        for (index, rawLine) in lines.enumerated() {
            let line = truncate(rawLine, limit - reserve - 1)
            let candidate = out.isEmpty ? line : out + "\n" + line
            let following = lines.count - index - 1
            if candidate.utf16.count + (following > 0 ? reserve : 0) > limit {
                let more = "…and \(lines.count - index) more"
                return out.isEmpty ? more : out + "\n" + more
            }
            out = candidate
        }
        return truncate(out, limit)
    }

    /// Items joined with `, `, at most `maximum` of them, then `…and N more`.
    static func list(_ items: [String], maximum: Int = 10) -> String {
        guard items.count > maximum else { return items.joined(separator: ", ") }
        return items.prefix(maximum).joined(separator: ", ") + " …and \(items.count - maximum) more"
    }

    /// A date Slack shows in the reader's time zone, with an RFC 3339 fallback.
    static func date(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        return "<!date^\(seconds)^{date_short_pretty} {time}|\(RFC3339.format(date, fractional: false))>"
    }

    /// A reason or comment as a block quote.
    static func quote(_ text: String) -> String {
        escape(text).split(separator: "\n", omittingEmptySubsequences: false).map { "&gt; " + $0 }.joined(
            separator: "\n")
    }
}
