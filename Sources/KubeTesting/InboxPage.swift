import Foundation
import KubeCore

/// The approval inbox's HTML: every top-level message as a card (Block Kit rendered plainly:
/// headers, sections, fields, context, buttons, selects), thread replies under their card,
/// open modals as forms, and what Airlock answered. A pure function of the fake's state.
///
/// Everything shown comes from Airlock's messages, which quote what requesters typed (the
/// reason, names): all text is HTML-escaped after Slack's own escaping is undone, so a reason
/// like `<script>` shows as text.
enum InboxPage {
    struct Content {
        var messages: [FakeSlackServer.Message]
        var views: [FakeSlackServer.OpenedView]
        var notices: [String]
        var reviewer: FakeSlackServer.User?
        var connected: Bool
        var version: Int
        /// Must come back with every form: another site open in the same browser cannot click.
        var formToken: String
    }

    static func render(_ content: Content) -> String {
        let cards = content.messages.filter { $0.threadTS == nil }.reversed()
        var html = header(content)
        if cards.isEmpty { html += "<p class=empty>No approval requests yet. This page refreshes by itself.</p>\n" }
        for view in content.views { html += modal(view, token: content.formToken) }
        for card in cards {
            html += "<article class=card id=\"card-\(escape(card.ts))\" data-ts=\"\(escape(card.ts))\">\n"
            html += blocks(card.blocks, fallback: card.text, message: card, token: content.formToken)
            let replies = content.messages.filter { $0.threadTS == card.ts }
            for reply in replies {
                html +=
                    "<div class=reply>"
                    + blocks(reply.blocks, fallback: reply.text, message: nil, token: content.formToken) + "</div>\n"
            }
            html += "<p class=meta>channel \(escape(card.channel)) · ts \(escape(card.ts))"
            html += card.updates > 0 ? " · updated \(card.updates)×</p>\n" : "</p>\n"
            html += "</article>\n"
        }
        return html + footer(version: content.version)
    }

    // MARK: Blocks

    static func blocks(
        _ blocks: [JSONValue], fallback: String, message: FakeSlackServer.Message?, token: String
    ) -> String {
        guard !blocks.isEmpty else { return "<p>\(mrkdwn(fallback))</p>\n" }
        var html = ""
        for block in blocks {
            switch block["type"]?.stringValue ?? "" {
            case "header": html += "<h2>\(text(block["text"]))</h2>\n"
            case "section":
                if let body = block["text"] { html += "<p>\(text(body))</p>\n" }
                let fields = items(block["fields"])
                if !fields.isEmpty {
                    html += "<div class=fields>" + fields.map { "<div>\(text($0))</div>" }.joined() + "</div>\n"
                }
            case "context":
                html += "<p class=context>" + items(block["elements"]).map { text($0) }.joined(separator: " · ")
                html += "</p>\n"
            case "divider": html += "<hr>\n"
            case "actions":
                guard let message else { continue }
                html += "<div class=actions>"
                for element in items(block["elements"]) { html += action(element, message: message, token: token) }
                html += "</div>\n"
            default: continue
            }
        }
        return html
    }

    /// A button or select as a form that POSTs the click to the inbox, which signs it as Slack.
    static func action(_ element: JSONValue, message: FakeSlackServer.Message, token: String) -> String {
        let actionID = escape(element["action_id"]?.stringValue ?? "")
        let hidden =
            "<input type=hidden name=channel value=\"\(escape(message.channel))\">"
            + "<input type=hidden name=ts value=\"\(escape(message.ts))\">"
            + "<input type=hidden name=action value=\"\(actionID)\">"
            + "<input type=hidden name=token value=\"\(escape(token))\">"
        switch element["type"]?.stringValue ?? "" {
        case "button":
            let style = escape(element["style"]?.stringValue ?? "default")
            return "<form method=post action=\"/inbox/click\">\(hidden)"
                + "<button type=submit class=\"\(style)\" data-action-id=\"\(actionID)\">\(text(element["text"]))</button>"
                + "</form>"
        case "static_select":
            let options = items(element["options"]).map {
                "<option value=\"\(escape($0["value"]?.stringValue ?? ""))\">\(text($0["text"]))</option>"
            }
            return "<form method=post action=\"/inbox/click\">\(hidden)"
                + "<select name=option data-action-id=\"\(actionID)\">\(options.joined())</select>"
                + "<button type=submit data-action-id=\"\(actionID)-submit\">\(text(element["placeholder"]))</button>"
                + "</form>"
        default: return ""
        }
    }

    /// An open modal (the Deny reason): its inputs, submitted to the inbox.
    static func modal(_ view: FakeSlackServer.OpenedView, token: String) -> String {
        var html = "<form class=modal method=post action=\"/inbox/submit\" id=\"view-\(escape(view.id))\">"
        html += "<input type=hidden name=view value=\"\(escape(view.id))\">"
        html += "<input type=hidden name=token value=\"\(escape(token))\">"
        html += "<h2>\(text(view.view["title"]))</h2>"
        for block in items(view.view["blocks"]) {
            if block["type"]?.stringValue == "input", let element = block["element"] {
                let name = "v|\(block["block_id"]?.stringValue ?? "")|\(element["action_id"]?.stringValue ?? "")"
                html += "<label>\(text(block["label"]))<textarea name=\"\(escape(name))\"></textarea></label>"
            } else if let body = block["text"] {
                html += "<p>\(text(body))</p>"
            }
        }
        html += "<button type=submit data-action-id=submit-view>\(text(view.view["submit"]))</button></form>\n"
        return html
    }

    // MARK: Text

    /// A Block Kit text object: plain_text escaped, mrkdwn with *bold*, `code` and links.
    static func text(_ value: JSONValue?) -> String {
        guard let value else { return "" }
        let raw = value["text"]?.stringValue ?? value.stringValue ?? ""
        return value["type"]?.stringValue == "mrkdwn" ? mrkdwn(raw) : escape(raw)
    }

    static func mrkdwn(_ raw: String) -> String {
        // Slack links and mentions: <url|label> shows the label, <url> the url.
        var plain = raw.replacing(#/<([^<>|]*)\|([^<>]*)>/#) { String($0.output.2) }
        plain = plain.replacing(#/<([^<>|]*)>/#) { String($0.output.1) }
        // Undo Slack's escaping, then escape for HTML: nothing typed can become markup.
        plain = plain.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
        var html = escape(plain)
        for (code, emoji) in emoji { html = html.replacingOccurrences(of: code, with: emoji) }
        html = html.replacing(#/\*([^*\n]+)\*/#) { "<b>\($0.output.1)</b>" }
        html = html.replacing(#/`([^`\n]+)`/#) { "<code>\($0.output.1)</code>" }
        // Slack's quote lines (`> text`, escaped as `&gt; `) as quotes.
        return html.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("&gt; ") ? "<q>\(line.dropFirst(5))</q>" : String(line)
        }.joined(separator: "<br>")
    }

    /// The emoji codes Airlock's cards use, as Slack shows them.
    static let emoji: [(String, String)] = [
        (":warning:", "\u{26A0}\u{FE0F}"), (":octagonal_sign:", "\u{1F6D1}"), (":no_entry:", "\u{26D4}"),
        (":hourglass_flowing_sand:", "\u{23F3}"), (":hourglass:", "\u{231B}"), (":lock:", "\u{1F512}"),
        (":white_check_mark:", "\u{2705}"), (":key:", "\u{1F511}"),
    ]

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func items(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items }
        return []
    }

    // MARK: Frame

    static func header(_ content: Content) -> String {
        let who = content.reviewer.map { "\(escape($0.name)) (\(escape($0.id)))" } ?? "nobody"
        var html = """
            <!doctype html>
            <html lang=en><head><meta charset=utf-8><title>Airlock approval inbox</title>
            <style>
            body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
            .card,.modal{border:1px solid #c9ced8;border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}
            .modal{border-color:#1d3557;background:#f3f6fb}.fields{display:grid;grid-template-columns:1fr 1fr;gap:.5rem}
            .actions form{display:inline-block;margin:.25rem .5rem .25rem 0}.context,.meta{color:#5c6370;font-size:.85rem}
            button{padding:.4rem .9rem;border-radius:6px;border:1px solid #888;background:#fff;cursor:pointer}
            button.primary{background:#2b7a4b;color:#fff;border-color:#2b7a4b}
            button.danger{background:#b3261e;color:#fff;border-color:#b3261e}
            .reply{border-left:3px solid #c9ced8;padding-left:.75rem;margin:.5rem 0}
            q{display:block;border-left:3px solid #9aa3b2;padding-left:.6rem;color:#333}q::before,q::after{content:none}
            .notice{background:#fff6d6;padding:.5rem .75rem;border-radius:6px}
            textarea{display:block;width:100%;min-height:4rem}
            </style></head><body>
            <h1>Airlock approval inbox</h1>
            <p>A local stand-in for Slack: Airlock posts its approval cards here with the real Slack
            API calls, and your clicks go back to Airlock signed as Slack signs them. You review as
            <b>\(who)</b>.</p>

            """
        if !content.connected {
            html += "<p class=notice>Not connected to Airlock yet: clicks cannot be delivered.</p>\n"
        }
        for notice in content.notices.suffix(5).reversed() { html += "<p class=notice>\(escape(notice))</p>\n" }
        return html
    }

    static func footer(version: Int) -> String {
        """
        <script>
        // Reload when Airlock posts or updates a card.
        const seen = \(version);
        setInterval(async () => {
          try {
            const answer = await fetch('/inbox/version');
            if (Number(await answer.text()) !== seen) location.reload();
          } catch (e) {}
        }, 1000);
        </script>
        </body></html>

        """
    }
}
