import KubeCore

extension Schema {
    /// The schema as `openAPIV3Schema` JSON.
    ///
    /// - Parameter includeCELRules: whether to emit `x-kubernetes-validations`. API servers
    ///   before 1.25 do not know the field (they drop it, and do not enforce the rules).
    public func json(includeCELRules: Bool) -> JSONValue {
        var out: [String: JSONValue] = [:]
        if !description.isEmpty { out["description"] = .string(description) }
        switch shape {
        case .string:
            out["type"] = "string"
        case .integer(let format):
            out["type"] = "integer"
            out["format"] = .string(format)
        case .boolean:
            out["type"] = "boolean"
        case .object(let properties, let required):
            out["type"] = "object"
            if !properties.isEmpty {
                out["properties"] = .object(properties.mapValues { $0.json(includeCELRules: includeCELRules) })
            }
            if !required.isEmpty { out["required"] = .array(required.map(JSONValue.string)) }
        case .map(let values):
            out["type"] = "object"
            out["additionalProperties"] = values.json(includeCELRules: includeCELRules)
        case .array(let items):
            out["type"] = "array"
            out["items"] = items.json(includeCELRules: includeCELRules)
        }
        if let format { out["format"] = .string(format) }
        if let pattern { out["pattern"] = .string(pattern) }
        if let enumValues { out["enum"] = .array(enumValues.map(JSONValue.string)) }
        if let defaultValue { out["default"] = defaultValue }
        if let minimum { out["minimum"] = .number(Double(minimum)) }
        if let maximum { out["maximum"] = .number(Double(maximum)) }
        if let minLength { out["minLength"] = .number(Double(minLength)) }
        if let maxLength { out["maxLength"] = .number(Double(maxLength)) }
        if let minItems { out["minItems"] = .number(Double(minItems)) }
        if let maxItems { out["maxItems"] = .number(Double(maxItems)) }
        switch listType {
        case nil: break
        case .atomic: out["x-kubernetes-list-type"] = "atomic"
        case .set: out["x-kubernetes-list-type"] = "set"
        case .map(let keys):
            out["x-kubernetes-list-type"] = "map"
            out["x-kubernetes-list-map-keys"] = .array(keys.map(JSONValue.string))
        }
        if includeCELRules, !validations.isEmpty {
            out["x-kubernetes-validations"] = .array(
                validations.map { ["rule": .string($0.rule), "message": .string($0.message)] })
        }
        return .object(out)
    }
}
