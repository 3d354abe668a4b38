import Foundation
import KubeCore
import NIOCore

/// What a write's answer tells the writer: the stored object's name, namespace, uid,
/// resourceVersion and generation. The rest of its metadata (labels, annotations, owners,
/// managedFields) is not read.
///
/// The answer is scanned for those five members, which costs a fraction of a full decode;
/// one the scan does not expect (an escaped string, a missing `metadata`) is decoded in full.
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
        var cursor = JSONCursor(bytes)
        var found: ObjectMeta?
        let read = cursor.members { cursor, key in
            guard key.elementsEqual("metadata".utf8) else { return cursor.skipValue() }
            guard found == nil, let metadata = metadata(&cursor) else { return false }
            found = metadata
            return true
        }
        guard read, cursor.atEnd else { return nil }
        return found
    }

    private static func metadata(_ cursor: inout JSONCursor) -> ObjectMeta? {
        var metadata = ObjectMeta()
        let read = cursor.members { cursor, key in
            func string(_ field: inout String?) -> Bool {
                guard field == nil, let value = cursor.optionalString() else { return false }
                field = value
                return true
            }
            if key.elementsEqual("name".utf8) { return string(&metadata.name) }
            if key.elementsEqual("namespace".utf8) { return string(&metadata.namespace) }
            if key.elementsEqual("uid".utf8) { return string(&metadata.uid) }
            if key.elementsEqual("resourceVersion".utf8) { return string(&metadata.resourceVersion) }
            if key.elementsEqual("generation".utf8) {
                guard metadata.generation == nil, let value = cursor.optionalInteger() else { return false }
                metadata.generation = value
                return true
            }
            return cursor.skipValue()
        }
        return read ? metadata : nil
    }
}
