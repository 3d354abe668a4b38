import Foundation
import KubeCore
import NIOCore

/// What a write's answer tells the writer: the stored object's name, namespace, uid,
/// resourceVersion and generation. The rest of its metadata (labels, annotations, owners,
/// managedFields) is not read.
///
/// The answer is scanned for those five members (``JSONReader``, which skips the rest), which
/// costs a fraction of a full decode; one the scan does not expect (a member twice, a missing
/// `metadata`) is decoded in full.
enum StoredIdentity {
    static func read(_ body: ByteBuffer) throws -> ObjectMeta {
        let scanned = body.withUnsafeReadableBytes(scan)
        if let scanned { return scanned }
        return identity(of: try KubeJSON.decoder().decode(MetadataOnly.self, from: Data(buffer: body)).metadata)
    }

    /// The identity fields of `metadata`, and nothing else.
    static func identity(of metadata: ObjectMeta) -> ObjectMeta {
        var identity = ObjectMeta(name: metadata.name, namespace: metadata.namespace)
        identity.uid = metadata.uid
        identity.resourceVersion = metadata.resourceVersion
        identity.generation = metadata.generation
        return identity
    }

    /// The identity in an answer `{..., "metadata": {...}, ...}`; nil at anything unexpected.
    static func scan(_ bytes: UnsafeRawBufferPointer) -> ObjectMeta? {
        var reader = JSONReader(bytes)
        do {
            let answer = try Answer(json: &reader)
            try reader.end()
            return answer.metadata
        } catch {
            return nil
        }
    }

    /// An answer of which only the identity in `metadata` is read.
    private struct Answer: JSONReadable {
        var metadata: ObjectMeta

        init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
            var metadata: ObjectMeta?
            try reader.members { reader, field throws(JSONReader.Unexpected) in
                switch field {
                case "metadata": try metadata.once(Self.identity(&reader))
                default: try reader.skip(field)
                }
            }
            guard let metadata else { throw JSONReader.Unexpected() }
            self.metadata = metadata
        }

        private static func identity(_ reader: inout JSONReader) throws(JSONReader.Unexpected) -> ObjectMeta {
            var name: String??, namespace: String??, uid: String??, resourceVersion: String??, generation: Int64??
            try reader.members { reader, field throws(JSONReader.Unexpected) in
                switch field {
                case "name": try name.once(reader.readIfPresent())
                case "namespace": try namespace.once(reader.readIfPresent())
                case "uid": try uid.once(reader.readIfPresent())
                case "resourceVersion": try resourceVersion.once(reader.readIfPresent())
                case "generation": try generation.once(reader.readIfPresent())
                default: try reader.skip(field)
                }
            }
            var metadata = ObjectMeta(name: name ?? nil, namespace: namespace ?? nil)
            metadata.uid = uid ?? nil
            metadata.resourceVersion = resourceVersion ?? nil
            metadata.generation = generation ?? nil
            return metadata
        }
    }
}
