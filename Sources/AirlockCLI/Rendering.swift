import Foundation

/// ANSI colour for a terminal; `.plain` for pipes, files and `NO_COLOR`.
public struct Palette: Sendable {
    public let enabled: Bool

    public init(enabled: Bool) {
        self.enabled = enabled
    }

    public static let plain = Palette(enabled: false)

    public func paint(_ text: String, _ code: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    public func bold(_ text: String) -> String { paint(text, "1") }
    public func dim(_ text: String) -> String { paint(text, "2") }

    /// A phase in its colour: Granted green, Pending yellow, Denied and Failed red, the rest dim.
    public func phase(_ phase: String) -> String {
        switch phase {
        case "Granted": paint(phase, "32")
        case "Pending", "New": paint(phase, "33")
        case "Denied", "Failed": paint(phase, "31")
        default: dim(phase)
        }
    }
}

/// Text output of `list`, `describe` and outcomes. Pure: `now` is passed in.
public enum Rendering {
    /// The `airlock list` table: pending first, with what each asks, who asked, age, time
    /// left and approvals so far.
    public static func table(_ summaries: [RequestSummary], allNamespaces: Bool, now: Date, palette: Palette) -> String
    {
        guard !summaries.isEmpty else { return "No ActionRequests found.\n" }
        var header = ["NAME", "PHASE", "REQUESTER", "ASKS", "APPROVALS", "AGE", "LEFT"]
        if allNamespaces { header.insert("NAMESPACE", at: 0) }
        var rows: [[String]] = []
        for summary in RequestSummary.sorted(summaries) {
            let asks = (summary.asks.first ?? "-") + (summary.asks.count > 1 ? " (+\(summary.asks.count - 1))" : "")
            let approvals =
                summary.approvals.required.map { "\(summary.approvals.counted)/\($0)" }
                ?? (summary.approvals.counted > 0 ? "\(summary.approvals.counted)" : "-")
            let age = summary.createdAt.map { Durations.short(seconds: now.timeIntervalSince($0)) } ?? "-"
            let left = summary.secondsLeft.map { Durations.short(seconds: Double($0)) } ?? "-"
            var row = [summary.name, summary.phase, summary.requester ?? "-", asks, approvals, age, left]
            if allNamespaces { row.insert(summary.namespace, at: 0) }
            rows.append(row)
        }
        let phaseColumn = allNamespaces ? 2 : 1
        return columns(header, rows) { column, text in
            column == phaseColumn ? palette.phase(text) : text
        }
    }

    /// Left-aligned columns separated by three spaces; `style` colours a cell after padding
    /// is computed (escape codes take no width).
    static func columns(_ header: [String], _ rows: [[String]], style: (Int, String) -> String) -> String {
        var widths = header.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        func line(_ cells: [String], styled: Bool) -> String {
            cells.enumerated().map { index, cell in
                let padding = index == cells.count - 1 ? "" : String(repeating: " ", count: widths[index] - cell.count)
                return (styled ? style(index, cell) : cell) + padding
            }.joined(separator: "   ")
        }
        return ([line(header, styled: false)] + rows.map { line($0, styled: true) }).joined(separator: "\n") + "\n"
    }

    /// `airlock describe`: the decision and why, reviews and which counted, grants, time
    /// left, notifications.
    public static func describe(_ summary: RequestSummary, now: Date, palette: Palette) -> String {
        var lines: [(String, String)] = []
        lines.append(("Name", summary.name))
        lines.append(("Namespace", summary.namespace))
        lines.append(("Phase", palette.phase(summary.phase) + (summary.phaseReason.map { " (\($0))" } ?? "")))
        if let outcome = summary.outcome { lines.append(("Result", outcome.message)) }
        lines.append(("Requester", summary.requester ?? "(not stamped)"))
        for (index, ask) in summary.asks.enumerated() { lines.append((index == 0 ? "Asks" : "", ask)) }
        lines.append(("For", "\(summary.duration), credential \(summary.credential)"))
        lines.append(("Reason", summary.reason))
        if let ticket = summary.ticket { lines.append(("Ticket", ticket)) }
        if let created = summary.createdAt {
            lines.append(
                (
                    "Created",
                    "\(RFC3339Text.format(created)) (\(Durations.short(seconds: now.timeIntervalSince(created))) ago)"
                ))
        }
        if let deadline = summary.deadline, let left = summary.secondsLeft {
            let what = summary.phase == "Granted" ? "access ends" : "review closes"
            lines.append(
                ("Time left", "\(what) in \(Durations.short(seconds: Double(left))) (\(RFC3339Text.format(deadline)))"))
        }
        if let decision = summary.decision {
            var text = decision.outcome
            if let policies = decision.policies, !policies.isEmpty {
                text += " by policy \(policies.joined(separator: ", "))"
            } else if decision.reason == "NoPolicyMatched" {
                text += " (no policy matched: the controller's default)"
            }
            if let message = decision.message { text += ": \(message)" }
            lines.append(("Decision", text))
        } else {
            lines.append(("Decision", "not evaluated yet"))
        }
        if let required = summary.approvals.required {
            lines.append(("Approvals", "\(summary.approvals.counted) of \(required)"))
        }
        var text = lines.map { label, value in
            (label.isEmpty ? "" : label + ":").padding(toLength: 12, withPad: " ", startingAt: 0) + value
        }.joined(separator: "\n")
        text += "\n" + section("Reviews", summary.reviews.map { review(palette, $0, now: now) })
        if let rejected = summary.rejectedReviews, rejected > summary.reviews.filter({ !$0.counted }).count {
            text += "  (\(rejected) rejected reviews in all)\n"
        }
        text += section("Grants", summary.grants)
        if let secret = summary.credentialSecretName {
            text += "Credential: Secret \(summary.namespace)/\(secret), key kubeconfig"
            text += " (airlock wait \(summary.name) --kubeconfig-out PATH writes it)\n"
        }
        text += section("Notifications", summary.notifications)
        text += section("Conditions", summary.conditions)
        return text
    }

    private static func review(_ palette: Palette, _ review: RequestSummary.Review, now: Date) -> String {
        var text = "\(review.reviewer) \(review.decision)"
        if let duration = review.duration { text += " for \(duration)" }
        text += review.counted ? " " + palette.paint("counted", "32") : " " + palette.paint("not counted", "31")
        text += ", \(Durations.short(seconds: now.timeIntervalSince(review.at))) ago via \(review.channel)"
        if let comment = review.comment { text += ": \"\(comment)\"" }
        if let rejected = review.rejectedReason { text += " — \(rejected)" }
        return text
    }

    private static func section(_ title: String, _ items: [String]) -> String {
        guard !items.isEmpty else { return "\(title): none\n" }
        return "\(title):\n" + items.map { "  \($0)\n" }.joined()
    }

    /// One line for an outcome: `granted: agents/x until 2024-…` or `denied (Wildcard): …`.
    public static func outcome(_ outcome: RequestOutcome, palette: Palette) -> String {
        let subject = "\(outcome.namespace)/\(outcome.name)"
        if outcome.granted {
            var text = "\(palette.phase("Granted")): \(subject)"
            if let expires = outcome.expiresAt { text += " until \(RFC3339Text.format(expires))" }
            if let path = outcome.kubeconfigPath { text += "; kubeconfig written to \(path)" }
            return text
        }
        return "\(palette.phase(outcome.phase)) (\(outcome.reason)): \(subject): \(outcome.message)"
    }
}

/// RFC 3339 in UTC, seconds precision: what people and kubectl read.
public enum RFC3339Text {
    public static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }
}
