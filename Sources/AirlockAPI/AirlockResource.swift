import KubeCore

/// One of Airlock's custom resources: the Swift type carries everything its
/// CustomResourceDefinition needs, so types and CRDs come from one source.
public protocol AirlockResource: KubeResource {
    /// Lower-case singular name (`actionrequest`).
    static var singular: String { get }
    /// Short names for kubectl (`areq`).
    static var shortNames: [String] { get }
    /// What the resource is, for `kubectl explain <resource>`.
    static var resourceDescription: String { get }
    /// Columns of `kubectl get`.
    static var printerColumns: [PrinterColumn] { get }
    /// Schema of `spec`.
    static var specSchema: Schema { get }
    /// Schema of `status` (served through the status subresource).
    static var statusSchema: Schema { get }
}

extension AirlockResource {
    /// Categories for `kubectl get airlock`.
    public static var categories: [String] { [AirlockConstants.category] }

    /// The whole object's schema: `apiVersion`, `kind`, `metadata`, `spec`, `status`.
    public static var openAPISchema: Schema {
        // The API server forbids anything but `type: object` on the root metadata (not even a
        // description): it validates ObjectMeta itself.
        let metadata = Schema(.object(properties: [:], required: []), description: "")
        return .object(
            resourceDescription, required: ["spec"],
            properties: [
                "apiVersion": .string(
                    "APIVersion defines the versioned schema of this representation of an object. Servers should"
                        + " convert recognized schemas to the latest internal value, and may reject unrecognized"
                        + " values. More info:"
                        + " https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
                ),
                "kind": .string(
                    "Kind is a string value representing the REST resource this object represents. Servers may infer"
                        + " this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."
                        + " More info:"
                        + " https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
                ),
                "metadata": metadata,
                "spec": specSchema,
                "status": statusSchema,
            ])
    }

    /// The CustomResourceDefinition for this resource.
    ///
    /// - Parameter includeCELRules: emit `x-kubernetes-validations` (enforced from Kubernetes
    ///   1.25; older servers drop the field). The admission webhook and the controller check
    ///   the same things, so leaving the rules out loses defence in depth, not correctness.
    public static func customResourceDefinition(includeCELRules: Bool) -> CustomResourceDefinition {
        let names: JSONValue = [
            "kind": .string(kind),
            "listKind": .string(kind + "List"),
            "plural": .string(plural),
            "singular": .string(singular),
            "shortNames": .array(shortNames.map(JSONValue.string)),
            "categories": .array(categories.map(JSONValue.string)),
        ]
        let columns: [JSONValue] = printerColumns.map { column in
            var entry: [String: JSONValue] = [
                "name": .string(column.name), "type": .string(column.type.rawValue),
                "jsonPath": .string(column.jsonPath), "description": .string(column.description),
            ]
            if column.priority != 0 { entry["priority"] = .number(Double(column.priority)) }
            return .object(entry)
        }
        let version: JSONValue = [
            "name": .string(version),
            "served": true,
            "storage": true,
            "schema": ["openAPIV3Schema": openAPISchema.json(includeCELRules: includeCELRules)],
            "subresources": ["status": [:]],
            "additionalPrinterColumns": .array(columns),
        ]
        let spec: JSONValue = [
            "group": .string(group),
            "names": names,
            "scope": .string(scope.rawValue),
            "versions": [version],
        ]
        var crd = CustomResourceDefinition(metadata: ObjectMeta(name: qualifiedPlural), spec: spec)
        crd.setTypeMeta()
        return crd
    }
}
