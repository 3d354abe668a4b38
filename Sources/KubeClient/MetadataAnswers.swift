import KubeCore

/// An answer of which only the metadata is read.
struct MetadataOnly: Decodable {
    var metadata: ObjectMeta
}

/// A page of a list with only its items' metadata (``KubernetesClient/listMetadata(_:namespace:options:)``).
public struct MetadataList: Decodable, Sendable {
    public var metadata: ListMeta
    public var items: [ObjectMeta]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(ListMeta.self, forKey: .metadata)
        items = try container.decodeIfPresent([MetadataOnly].self, forKey: .items)?.map(\.metadata) ?? []
    }

    private enum CodingKeys: String, CodingKey {
        case metadata, items
    }
}
