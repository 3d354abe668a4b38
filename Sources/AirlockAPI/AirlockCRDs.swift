import Foundation
import KubeCore
import Yams

/// Airlock's CustomResourceDefinitions, generated from the Swift types (the one source).
///
/// `swift run airlock crds --output manifests/crds` writes ``renderYAML(includeCELRules:)`` to `manifests/crds/`;
/// a unit test fails when the committed files are stale.
public enum AirlockCRDs {
    /// Every Airlock resource type, in the order their CRDs are listed.
    public static var resources: [any AirlockResource.Type] {
        [ActionRequest.self, ActionReview.self, ApprovalPolicy.self]
    }

    /// The CRDs to install.
    ///
    /// - Parameter includeCELRules: emit `x-kubernetes-validations` CEL rules (spec
    ///   immutability, cross-field checks). Kubernetes enforces them from 1.25; older API
    ///   servers drop the unknown field. The webhook and controller check the same rules.
    public static func customResourceDefinitions(includeCELRules: Bool) -> [CustomResourceDefinition] {
        resources.map { $0.customResourceDefinition(includeCELRules: includeCELRules) }
    }

    /// The file a resource's CRD is written to (`airlock.dev_actionrequests.yaml`, the
    /// controller-gen convention).
    public static func fileName(for resource: any AirlockResource.Type) -> String {
        "\(resource.group)_\(resource.plural).yaml"
    }

    /// Header of every generated file.
    public static let generatedHeader =
        "# Generated from Sources/AirlockAPI by `swift run airlock crds --output manifests/crds`. Do not edit.\n"

    /// One YAML document per CRD, with stable (sorted) keys, named as ``fileName(for:)``
    /// (relative to the output directory).
    public static func renderYAML(includeCELRules: Bool) throws -> [(fileName: String, yaml: String)] {
        try resources.map { resource in
            let crd = resource.customResourceDefinition(includeCELRules: includeCELRules)
            let json = try KubeJSON.decode(JSONValue.self, from: KubeJSON.encode(crd))
            let yaml = try Yams.serialize(
                node: yamlNode(json), width: -1, allowUnicode: true, sortKeys: true)
            return (fileName(for: resource), generatedHeader + yaml)
        }
    }

    /// A JSON tree as a YAML node: integral numbers as integers, strings quoted where YAML
    /// would read them as something else.
    static func yamlNode(_ value: JSONValue) -> Node {
        switch value {
        case .null:
            return Node("null", Tag(.null))
        case .bool(let bool):
            return .scalar(bool.represented())
        case .number(let number):
            if number.rounded() == number, abs(number) < 1e15 { return .scalar(Int64(number).represented()) }
            return .scalar(number.represented())
        case .string(let string):
            return .scalar(string.represented())
        case .array(let items):
            return Node(items.map(yamlNode))
        case .object(let members):
            return Node(
                members.sorted { $0.key < $1.key }.map { (Node.scalar($0.key.represented()), yamlNode($0.value)) })
        }
    }
}
