import KubeCore

extension FakeSlackServer {
    /// Checks blocks against Slack's documented Block Kit limits; each problem as Slack's
    /// `response_metadata.messages` would say it.
    static func validate(blocks: [JSONValue], maxBlocks: Int) -> [String] {
        var problems: [String] = []
        if blocks.count > maxBlocks {
            problems.append("[ERROR] no more than \(maxBlocks) items allowed [json-pointer:/blocks]")
        }
        var blockIDs: Set<String> = []
        for (index, block) in blocks.enumerated() {
            let at = "[json-pointer:/blocks/\(index)]"
            func check(_ ok: Bool, _ message: String) { if !ok { problems.append("[ERROR] \(message) \(at)") } }
            let type = block["type"]?.stringValue ?? ""
            if let id = block["block_id"]?.stringValue {
                check(id.count <= 255, "block_id must be at most 255 characters")
                check(blockIDs.insert(id).inserted, "block_id '\(id)' is not unique")
            }
            switch type {
            case "header":
                check(
                    isText(block["text"], plainOnly: true, max: 150),
                    "header text must be plain_text of 1-150 characters")
            case "section":
                let text = block["text"]
                let fields = block["fields"].flatMap(items) ?? []
                check(text != nil || !fields.isEmpty, "section needs text or fields")
                if let text {
                    check(isText(text, plainOnly: false, max: 3000), "section text must be 1-3000 characters")
                }
                check(fields.count <= 10, "section has more than 10 fields")
                for field in fields {
                    check(isText(field, plainOnly: false, max: 2000), "a field is over 2000 characters")
                }
            case "context":
                let elements = block["elements"].flatMap(items) ?? []
                check((1...10).contains(elements.count), "context needs 1-10 elements")
                for element in elements where element["type"]?.stringValue != "image" {
                    check(isText(element, plainOnly: false, max: 3000), "context text must be 1-3000 characters")
                }
            case "actions":
                let elements = block["elements"].flatMap(items) ?? []
                check((1...25).contains(elements.count), "actions needs 1-25 elements")
                var actionIDs: Set<String> = []
                for element in elements {
                    if let id = element["action_id"]?.stringValue {
                        check(actionIDs.insert(id).inserted, "action_id '\(id)' is not unique in its block")
                    }
                    problems += validate(element: element).map { "[ERROR] \($0) \(at)" }
                }
            case "input":
                check(isText(block["label"], plainOnly: true, max: 2000), "input label must be plain_text of 1-2000")
                if let element = block["element"] {
                    problems += validate(element: element).map { "[ERROR] \($0) \(at)" }
                }
            case "divider", "image", "rich_text": break
            default: check(false, "unsupported block type '\(type)'")
            }
        }
        return problems
    }

    /// Checks a modal view: type, title, callback id, private metadata, blocks.
    static func validate(view: JSONValue) -> [String] {
        var problems: [String] = []
        if view["type"]?.stringValue != "modal" { problems.append("[ERROR] view type must be modal") }
        if !isText(view["title"], plainOnly: true, max: 24) { problems.append("[ERROR] title must be 1-24 characters") }
        for key in ["submit", "close"] where view[key] != nil {
            if !isText(view[key], plainOnly: true, max: 24) {
                problems.append("[ERROR] \(key) must be 1-24 characters")
            }
        }
        if (view["callback_id"]?.stringValue?.count ?? 0) > 255 { problems.append("[ERROR] callback_id over 255") }
        if (view["private_metadata"]?.stringValue?.count ?? 0) > 3000 {
            problems.append("[ERROR] private_metadata over 3000 characters")
        }
        return problems + validate(blocks: view["blocks"].flatMap(items) ?? [], maxBlocks: 100)
    }

    private static func validate(element: JSONValue) -> [String] {
        var problems: [String] = []
        func check(_ ok: Bool, _ message: String) { if !ok { problems.append(message) } }
        if let id = element["action_id"]?.stringValue { check(id.count <= 255, "action_id over 255 characters") }
        if let confirm = element["confirm"] {
            check(isText(confirm["title"], plainOnly: true, max: 100), "confirm title must be 1-100 characters")
            check(isText(confirm["text"], plainOnly: false, max: 300), "confirm text must be 1-300 characters")
            check(isText(confirm["confirm"], plainOnly: true, max: 30), "confirm button must be 1-30 characters")
            check(isText(confirm["deny"], plainOnly: true, max: 30), "deny button must be 1-30 characters")
        }
        switch element["type"]?.stringValue ?? "" {
        case "button":
            check(isText(element["text"], plainOnly: true, max: 75), "button text must be plain_text of 1-75")
            check((element["value"]?.stringValue?.count ?? 0) <= 2000, "button value over 2000 characters")
            if let style = element["style"]?.stringValue { check(["primary", "danger"].contains(style), "bad style") }
        case "static_select":
            check(isText(element["placeholder"], plainOnly: true, max: 150), "placeholder must be 1-150 characters")
            let options = element["options"].flatMap(items) ?? []
            check((1...100).contains(options.count), "static_select needs 1-100 options")
            for option in options {
                check(isText(option["text"], plainOnly: true, max: 75), "option text must be 1-75 characters")
                check((1...150).contains(option["value"]?.stringValue?.count ?? 0), "option value must be 1-150")
            }
        case "plain_text_input":
            if case .number(let max)? = element["max_length"] { check(max <= 3000, "max_length over 3000") }
            if case .number(let min)? = element["min_length"] { check(min <= 3000, "min_length over 3000") }
        default: problems.append("unsupported element type")
        }
        return problems
    }

    private static func isText(_ value: JSONValue?, plainOnly: Bool, max: Int) -> Bool {
        guard let value, let type = value["type"]?.stringValue, let text = value["text"]?.stringValue else {
            return false
        }
        guard type == "plain_text" || (!plainOnly && type == "mrkdwn") else { return false }
        return (1...max).contains(text.count)
    }

    private static func items(_ value: JSONValue) -> [JSONValue]? {
        if case .array(let items) = value { return items }
        return nil
    }
}
