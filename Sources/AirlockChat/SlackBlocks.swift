import KubeCore

/// Block Kit building blocks as JSON, each within Slack's limits (longer text is cut with `…`).
enum SlackBlocks {
    typealias Limit = SlackText.Limit

    static func plainText(_ text: String, limit: Int) -> JSONValue {
        ["type": "plain_text", "text": .string(SlackText.truncate(text, limit)), "emoji": true]
    }

    static func mrkdwn(_ text: String, limit: Int = Limit.sectionText) -> JSONValue {
        ["type": "mrkdwn", "text": .string(SlackText.truncate(text, limit))]
    }

    static func header(_ text: String, blockID: String) -> JSONValue {
        ["type": "header", "block_id": .string(blockID), "text": plainText(text, limit: Limit.header)]
    }

    static func section(_ text: String, blockID: String) -> JSONValue {
        ["type": "section", "block_id": .string(blockID), "text": mrkdwn(text)]
    }

    /// A section of up to 10 two-column fields.
    static func fields(_ fields: [String], blockID: String) -> JSONValue {
        [
            "type": "section", "block_id": .string(blockID),
            "fields": .array(fields.prefix(Limit.fields).map { mrkdwn($0, limit: Limit.sectionField) }),
        ]
    }

    static func context(_ elements: [String], blockID: String) -> JSONValue {
        [
            "type": "context", "block_id": .string(blockID),
            "elements": .array(elements.prefix(Limit.contextElements).map { mrkdwn($0, limit: Limit.contextText) }),
        ]
    }

    static func divider() -> JSONValue { ["type": "divider"] }

    static func actions(_ elements: [JSONValue], blockID: String) -> JSONValue {
        ["type": "actions", "block_id": .string(blockID), "elements": .array(elements)]
    }

    /// A button; `style` is `primary`, `danger` or nil. `value` must already fit (2000).
    static func button(
        _ text: String, actionID: String, value: String, style: String? = nil, confirm: JSONValue? = nil
    ) -> JSONValue {
        var members: [String: JSONValue] = [
            "type": "button", "action_id": .string(actionID), "value": .string(value),
            "text": plainText(text, limit: Limit.buttonText),
        ]
        if let style { members["style"] = .string(style) }
        if let confirm { members["confirm"] = confirm }
        return .object(members)
    }

    /// A static select of `(text, value)` options.
    static func staticSelect(
        actionID: String, placeholder: String, options: [(text: String, value: String)], confirm: JSONValue? = nil
    ) -> JSONValue {
        var members: [String: JSONValue] = [
            "type": "static_select", "action_id": .string(actionID),
            "placeholder": plainText(placeholder, limit: Limit.placeholder),
            "options": .array(
                options.prefix(100).map {
                    ["text": plainText($0.text, limit: Limit.optionText), "value": .string($0.value)]
                }),
        ]
        if let confirm { members["confirm"] = confirm }
        return .object(members)
    }

    /// A confirmation dialog on a button or select.
    static func confirm(
        title: String, text: String, confirm: String, deny: String = "Cancel", style: String? = nil
    ) -> JSONValue {
        var members: [String: JSONValue] = [
            "title": plainText(title, limit: Limit.confirmTitle),
            "text": mrkdwn(text, limit: Limit.confirmText),
            "confirm": plainText(confirm, limit: Limit.confirmButton),
            "deny": plainText(deny, limit: Limit.confirmButton),
        ]
        if let style { members["style"] = .string(style) }
        return .object(members)
    }
}
