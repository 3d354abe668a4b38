import Foundation
import KubeCore

/// Builders for the Adaptive Card elements Airlock's Teams card uses (schema 1.5), and the
/// escaping of request content so it renders as text, never as markdown, a link or a mention.
enum AdaptiveCard {
    /// The card version: Universal Actions (`Action.Execute`, `refresh`) need 1.5.
    static let version = "1.5"
    /// The attachment content type of an Adaptive Card.
    static let contentType = "application/vnd.microsoft.card.adaptive"
    /// Teams refuses messages above about 28 KB: lists are cut well before.
    static let maxLines = 20

    static func card(
        body: [JSONValue], actions: [JSONValue], refresh: JSONValue?, version: String = version
    )
        -> JSONValue
    {
        var members: [String: JSONValue] = [
            "type": "AdaptiveCard", "version": .string(version),
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "body": .array(body),
        ]
        if !actions.isEmpty { members["actions"] = .array(actions) }
        if let refresh { members["refresh"] = refresh }
        return .object(members)
    }

    static func text(
        _ text: String, id: String? = nil, weight: String? = nil, size: String? = nil, color: String? = nil,
        subtle: Bool = false
    ) -> JSONValue {
        var members: [String: JSONValue] = ["type": "TextBlock", "text": .string(text), "wrap": true]
        if let id { members["id"] = .string(id) }
        if let weight { members["weight"] = .string(weight) }
        if let size { members["size"] = .string(size) }
        if let color { members["color"] = .string(color) }
        if subtle { members["isSubtle"] = true }
        return .object(members)
    }

    static func facts(_ facts: [(String, String)], id: String) -> JSONValue {
        [
            "type": "FactSet", "id": .string(id),
            "facts": .array(facts.map { ["title": .string($0.0), "value": .string($0.1)] }),
        ]
    }

    static func container(_ items: [JSONValue], id: String, style: String? = nil) -> JSONValue {
        var members: [String: JSONValue] = ["type": "Container", "id": .string(id), "items": .array(items)]
        if let style { members["style"] = .string(style) }
        return .object(members)
    }

    /// An `Action.Execute`: Teams sends `verb` and `data` (merged with the card's inputs) to the
    /// bot as an `adaptiveCard/action` invoke.
    static func execute(_ title: String, verb: String, data: JSONValue, style: String? = nil) -> JSONValue {
        var members: [String: JSONValue] = [
            "type": "Action.Execute", "title": .string(title), "verb": .string(verb), "data": data,
        ]
        if let style { members["style"] = .string(style) }
        return .object(members)
    }

    static func choices(id: String, label: String, placeholder: String, _ choices: [(String, String)]) -> JSONValue {
        [
            "type": "Input.ChoiceSet", "id": .string(id), "label": .string(label), "style": "compact",
            "placeholder": .string(placeholder),
            "choices": .array(choices.map { ["title": .string($0.0), "value": .string($0.1)] }),
        ]
    }

    static func textInput(id: String, label: String, placeholder: String, maxLength: Int) -> JSONValue {
        [
            "type": "Input.Text", "id": .string(id), "label": .string(label), "placeholder": .string(placeholder),
            "isMultiline": true, "maxLength": .number(Double(maxLength)),
        ]
    }

    /// `text` with every character Teams' markdown gives meaning to escaped, so request content
    /// cannot open a link, format itself as something else, or mention anyone.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            if "\\*_[]()`~#<>|!".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// `text` cut to `limit` characters, ending with `…` when cut.
    static func truncate(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    /// A date as Teams formats it in the reader's time zone (`{{DATE(…)}} {{TIME(…)}}`).
    static func date(_ date: Date) -> String {
        let text = RFC3339.format(date, fractional: false)
        return "{{DATE(\(text), SHORT)}} {{TIME(\(text))}}"
    }
}
