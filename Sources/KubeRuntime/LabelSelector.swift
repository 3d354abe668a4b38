/// A Kubernetes label selector, parsed from its string form and matched against labels.
///
/// Supported syntax (comma-separated requirements, all of which must hold; whitespace around
/// tokens is ignored):
/// - `key=value`, `key==value`: the label is present with this value.
/// - `key!=value`: the label is absent or has another value.
/// - `key`: the label is present; `!key`: the label is absent.
/// - `key in (a,b)`: present with one of the values; `key notin (a,b)`: absent or none of them.
///
/// Keys are label keys (`[prefix/]name`: a DNS subdomain prefix of at most 253 characters and a
/// name of at most 63 alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric); values
/// follow the same rule for names and may be empty. The empty selector matches everything.
/// `description` renders the canonical string form, which parses back to the same selector.
public struct LabelSelector: Sendable, Hashable, CustomStringConvertible {
    /// One condition on one label.
    public struct Requirement: Sendable, Hashable, CustomStringConvertible {
        public enum Operator: Sendable, Hashable {
            case equals, notEquals, `in`, notIn, exists, doesNotExist
        }

        public var key: String
        public var `operator`: Operator
        /// The values (one for `equals`/`notEquals`, none for `exists`/`doesNotExist`).
        public var values: [String]

        public init(key: String, operator: Operator, values: [String] = []) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }

        /// Whether `labels` satisfy this requirement.
        public func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch self.operator {
            case .equals, .in: return value.map(values.contains) ?? false
            case .notEquals, .notIn: return value.map { !values.contains($0) } ?? true
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            }
        }

        public var description: String {
            switch self.operator {
            case .equals: return "\(key)=\(values.first ?? "")"
            case .notEquals: return "\(key)!=\(values.first ?? "")"
            case .in: return "\(key) in (\(values.joined(separator: ",")))"
            case .notIn: return "\(key) notin (\(values.joined(separator: ",")))"
            case .exists: return key
            case .doesNotExist: return "!\(key)"
            }
        }
    }

    /// A malformed selector: what is wrong and at which character offset.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The selector text as given.
        public var selector: String
        /// Offset (in characters) of the offending token.
        public var position: Int
        public var message: String

        public var description: String {
            "invalid label selector \"\(selector)\" at offset \(position): \(message)"
        }
    }

    public var requirements: [Requirement]

    /// A selector from requirements (not validated: build them from trusted input).
    public init(requirements: [Requirement] = []) {
        self.requirements = requirements
    }

    /// `key=value` for each pair (Kubernetes `matchLabels`).
    public init(matchLabels: [String: String]) {
        self.requirements = matchLabels.sorted { $0.key < $1.key }.map {
            Requirement(key: $0.key, operator: .equals, values: [$0.value])
        }
    }

    /// Parses the string form (as in `kubectl get -l` and `ListOptions.labelSelector`).
    public init(parsing text: String) throws(ParseError) {
        var parser = LabelSelectorParser(text)
        self.requirements = try parser.parse()
    }

    /// The selector that matches everything.
    public static let everything = LabelSelector()

    /// Whether every requirement holds for `labels` (nil, as in `metadata.labels` of an object
    /// without labels, is no labels).
    public func matches(_ labels: [String: String]?) -> Bool {
        let labels = labels ?? [:]
        return requirements.allSatisfy { $0.matches(labels) }
    }

    public var isEverything: Bool { requirements.isEmpty }

    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }
}
