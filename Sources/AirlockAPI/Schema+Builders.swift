import KubeCore

extension Schema {
    /// A string, optionally restricted by pattern, format and length.
    public static func string(
        _ description: String, pattern: String? = nil, format: String? = nil, minLength: Int? = nil,
        maxLength: Int? = nil
    ) -> Schema {
        var schema = Schema(.string, description: description)
        schema.pattern = pattern
        schema.format = format
        schema.minLength = minLength
        schema.maxLength = maxLength
        return schema
    }

    /// A string that is one of an enum's raw values (listed in declaration order).
    public static func enumeration<Value: CaseIterable & RawRepresentable>(
        _ type: Value.Type, _ description: String
    ) -> Schema where Value.RawValue == String {
        var schema = Schema(.string, description: description)
        schema.enumValues = type.allCases.map(\.rawValue)
        return schema
    }

    /// An integer (`int32` unless told), optionally bounded.
    public static func integer(
        _ description: String, format: String = "int32", minimum: Int64? = nil, maximum: Int64? = nil
    ) -> Schema {
        var schema = Schema(.integer(format: format), description: description)
        schema.minimum = minimum
        schema.maximum = maximum
        return schema
    }

    /// A boolean.
    public static func boolean(_ description: String) -> Schema {
        Schema(.boolean, description: description)
    }

    /// An object with fixed properties.
    public static func object(
        _ description: String, required: [String] = [], properties: [String: Schema]
    ) -> Schema {
        Schema(.object(properties: properties, required: required.sorted()), description: description)
    }

    /// A list. Without a `listType` the API server treats it as `atomic`.
    public static func array(
        _ description: String, of items: Schema, minItems: Int? = nil, maxItems: Int? = nil,
        listType: ListType? = nil
    ) -> Schema {
        var schema = Schema(.array(items: items), description: description)
        schema.minItems = minItems
        schema.maxItems = maxItems
        schema.listType = listType
        return schema
    }

    /// A list of strings, each at most `maxLength` long.
    public static func strings(
        _ description: String, itemDescription: String, minItems: Int? = nil, maxItems: Int? = nil,
        maxLength: Int = 253, pattern: String? = nil
    ) -> Schema {
        .array(
            description, of: .string(itemDescription, pattern: pattern, minLength: 1, maxLength: maxLength),
            minItems: minItems, maxItems: maxItems)
    }

    /// A map from string keys to values of one schema.
    public static func map(_ description: String, values: Schema) -> Schema {
        Schema(.map(values: values), description: description)
    }

    // MARK: Modifiers

    /// The same schema with another description (a field describes its use of a shared type).
    public func described(_ description: String) -> Schema {
        var copy = self
        copy.description = description
        return copy
    }

    /// The same schema with a CEL rule added to `x-kubernetes-validations`.
    public func rule(_ rule: String, message: String) -> Schema {
        var copy = self
        copy.validations.append(ValidationRule(rule: rule, message: message))
        return copy
    }

    /// The same schema with a default the API server fills in.
    public func defaulting(to value: JSONValue) -> Schema {
        var copy = self
        copy.defaultValue = value
        return copy
    }
}
