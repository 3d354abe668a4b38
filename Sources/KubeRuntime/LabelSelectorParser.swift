/// The tokenizer and recursive-descent parser behind `LabelSelector(parsing:)`.
struct LabelSelectorParser {
    enum Token: Equatable {
        case identifier(String)
        case not, equals, doubleEquals, notEquals, open, close, comma
        case unsupported(String)
        case end

        var text: String {
            switch self {
            case .identifier(let text), .unsupported(let text): return text
            case .not: return "!"
            case .equals: return "="
            case .doubleEquals: return "=="
            case .notEquals: return "!="
            case .open: return "("
            case .close: return ")"
            case .comma: return ","
            case .end: return "end of input"
            }
        }
    }

    typealias Requirement = LabelSelector.Requirement

    private let text: String
    private let characters: [Character]
    private var index = 0
    /// Offset of the token most recently read.
    private var tokenStart = 0
    private var peeked: (token: Token, start: Int, end: Int)?

    init(_ text: String) {
        self.text = text
        self.characters = Array(text)
    }

    mutating func parse() throws(LabelSelector.ParseError) -> [Requirement] {
        var requirements: [Requirement] = []
        if peek() == .end { return requirements }
        while true {
            requirements.append(try parseRequirement())
            switch next() {
            case .end: return requirements
            case .comma: continue
            case let token: throw error("expected ',' or end of input, found '\(token.text)'")
            }
        }
    }

    private mutating func parseRequirement() throws(LabelSelector.ParseError) -> Requirement {
        if peek() == .not {
            _ = next()
            let key = try parseKey()
            return Requirement(key: key, operator: .doesNotExist)
        }
        let key = try parseKey()
        switch peek() {
        case .end, .comma:
            return Requirement(key: key, operator: .exists)
        case .equals, .doubleEquals:
            _ = next()
            return Requirement(key: key, operator: .equals, values: [try parseValue()])
        case .notEquals:
            _ = next()
            return Requirement(key: key, operator: .notEquals, values: [try parseValue()])
        case .identifier("in"):
            _ = next()
            return Requirement(key: key, operator: .in, values: try parseValueSet(for: "in"))
        case .identifier("notin"):
            _ = next()
            return Requirement(key: key, operator: .notIn, values: try parseValueSet(for: "notin"))
        case let token:
            _ = next()
            if case .unsupported = token {
                throw error("unsupported operator '\(token.text)' (use =, ==, !=, in, notin, or exists)")
            }
            throw error("expected an operator after key '\(key)', found '\(token.text)'")
        }
    }

    private mutating func parseKey() throws(LabelSelector.ParseError) -> String {
        let token = next()
        guard case .identifier(let key) = token else {
            throw error("expected a label key, found '\(token.text)'")
        }
        if key == "in" || key == "notin" { throw error("expected a label key, found keyword '\(key)'") }
        if let problem = LabelSelectorParser.keyProblem(key) { throw error("invalid label key '\(key)': \(problem)") }
        return key
    }

    /// A value after `=`, `==` or `!=`; empty when the requirement ends right there (`a=`).
    private mutating func parseValue() throws(LabelSelector.ParseError) -> String {
        switch peek() {
        case .end, .comma:
            return ""
        case .identifier(let value):
            _ = next()
            if let problem = LabelSelectorParser.valueProblem(value) {
                throw error("invalid label value '\(value)': \(problem)")
            }
            return value
        case let token:
            _ = next()
            throw error("expected a label value, found '\(token.text)'")
        }
    }

    /// `(a,b,c)` after `in` or `notin`: at least one value; a value may be empty (`(a,)`).
    private mutating func parseValueSet(for keyword: String) throws(LabelSelector.ParseError) -> [String] {
        let open = next()
        guard open == .open else { throw error("expected '(' after '\(keyword)', found '\(open.text)'") }
        if peek() == .close {
            _ = next()
            throw error("the value set of '\(keyword)' must not be empty")
        }
        var values: [String] = []
        while true {
            switch peek() {
            case .comma, .close:
                values.append("")
            case .identifier(let value):
                _ = next()
                if let problem = LabelSelectorParser.valueProblem(value) {
                    throw error("invalid label value '\(value)': \(problem)")
                }
                values.append(value)
            case let token:
                _ = next()
                throw error("expected a label value, ',' or ')', found '\(token.text)'")
            }
            let separator = next()
            switch separator {
            case .comma: continue
            case .close: return values
            default: throw error("expected ',' or ')' in the value set, found '\(separator.text)'")
            }
        }
    }

    private func error(_ message: String) -> LabelSelector.ParseError {
        LabelSelector.ParseError(selector: text, position: tokenStart, message: message)
    }

    // MARK: Tokens

    private mutating func peek() -> Token {
        if let peeked { return peeked.token }
        let start = skipWhitespace()
        let token = scan()
        peeked = (token, start, index)
        return token
    }

    private mutating func next() -> Token {
        let token = peek()
        tokenStart = peeked?.start ?? index
        peeked = nil
        return token
    }

    private mutating func skipWhitespace() -> Int {
        while index < characters.count, characters[index].isWhitespace { index += 1 }
        return index
    }

    private static let delimiters: Set<Character> = ["!", "=", ",", "(", ")", "<", ">"]

    private mutating func scan() -> Token {
        guard index < characters.count else { return .end }
        let character = characters[index]
        let following: Character? = index + 1 < characters.count ? characters[index + 1] : nil
        switch character {
        case "!":
            if following == "=" {
                index += 2
                return .notEquals
            }
            index += 1
            return .not
        case "=":
            if following == "=" {
                index += 2
                return .doubleEquals
            }
            index += 1
            return .equals
        case "(":
            index += 1
            return .open
        case ")":
            index += 1
            return .close
        case ",":
            index += 1
            return .comma
        case "<", ">":
            index += 1
            return .unsupported(String(character))
        default:
            let start = index
            while index < characters.count, !characters[index].isWhitespace,
                !Self.delimiters.contains(characters[index])
            {
                index += 1
            }
            return .identifier(String(characters[start..<index]))
        }
    }

    // MARK: Validation

    /// Why `key` is not a valid label key, or nil.
    static func keyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            return nameProblem(parts[0])
        case 2:
            if let problem = prefixProblem(parts[0]) { return "prefix: \(problem)" }
            return nameProblem(parts[1])
        default:
            return "at most one '/' (prefix/name)"
        }
    }

    /// Why `value` is not a valid label value, or nil. The empty value is valid.
    static func valueProblem(_ value: String) -> String? {
        value.isEmpty ? nil : nameProblem(Substring(value))
    }

    /// A qualified name: 1...63 of `[A-Za-z0-9_.-]`, alphanumeric at both ends.
    private static func nameProblem(_ name: Substring) -> String? {
        guard !name.isEmpty else { return "the name must not be empty" }
        guard name.count <= 63 else { return "must be at most 63 characters" }
        guard name.allSatisfy({ isAlphanumeric($0) || $0 == "-" || $0 == "_" || $0 == "." }) else {
            return "only letters, digits, '-', '_' and '.' are allowed"
        }
        guard isAlphanumeric(name.first!), isAlphanumeric(name.last!) else {
            return "must start and end with a letter or digit"
        }
        return nil
    }

    /// A DNS-1123 subdomain: at most 253 characters, dot-separated lowercase alphanumeric labels
    /// that may contain `-` inside.
    private static func prefixProblem(_ prefix: Substring) -> String? {
        guard !prefix.isEmpty else { return "must not be empty" }
        guard prefix.count <= 253 else { return "must be at most 253 characters" }
        for label in prefix.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty,
                label.allSatisfy({ isLowercaseAlphanumeric($0) || $0 == "-" }),
                isLowercaseAlphanumeric(label.first!), isLowercaseAlphanumeric(label.last!)
            else { return "must be a lowercase DNS subdomain" }
        }
        return nil
    }

    private static func isAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber)
    }

    private static func isLowercaseAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLowercase || character.isNumber)
    }
}
