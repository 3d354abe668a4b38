import KubeCore

/// A structural OpenAPI v3 schema, as a CustomResourceDefinition's `openAPIV3Schema` takes it.
///
/// The Swift types of this module describe their own schema with these builders
/// (`ActionRequestSpec.schema`, ...), so each field's shape, description and validation live
/// next to the type that has the field. Rendering (``json(includeCELRules:)``) can leave out
/// the CEL rules for API servers older than 1.25.
public struct Schema: Sendable, Hashable {
    /// The JSON type and, for containers, what they contain.
    public indirect enum Shape: Sendable, Hashable {
        case string
        case integer(format: String)
        case boolean
        /// An object with fixed properties; `required` names the ones that must be present.
        case object(properties: [String: Schema], required: [String])
        /// An object with arbitrary keys whose values all have one schema (`additionalProperties`).
        case map(values: Schema)
        case array(items: Schema)
    }

    /// `x-kubernetes-list-type` (and, for `map`, `x-kubernetes-list-map-keys`).
    public enum ListType: Sendable, Hashable {
        case atomic
        case set
        case map(keys: [String])
    }

    /// A CEL rule in `x-kubernetes-validations` (enforced by API servers 1.25 and later).
    public struct ValidationRule: Sendable, Hashable {
        /// The CEL expression; `self` is the value, `oldSelf` the previous value on update.
        public var rule: String
        /// What the API server answers when the rule does not hold.
        public var message: String

        public init(rule: String, message: String) {
            self.rule = rule
            self.message = message
        }
    }

    public var shape: Shape
    /// Shown by `kubectl explain`; every field has one.
    public var description: String
    public var format: String?
    public var pattern: String?
    public var enumValues: [String]?
    public var defaultValue: JSONValue?
    public var minimum: Int64?
    public var maximum: Int64?
    public var minLength: Int?
    public var maxLength: Int?
    public var minItems: Int?
    public var maxItems: Int?
    public var listType: ListType?
    public var validations: [ValidationRule] = []

    public init(_ shape: Shape, description: String) {
        self.shape = shape
        self.description = description
    }

    /// The object's properties, or nil for other shapes.
    public var properties: [String: Schema]? {
        if case .object(let properties, _) = shape { return properties }
        return nil
    }
}
