import AsyncHTTPClient
import Foundation
import KubeCore
import NIOCore

/// The events of one watch request, as an `AsyncSequence`.
///
/// Pull-based end to end: the next chunk is read from the connection only when the consumer
/// asks for the next event (AsyncHTTPClient's body stream applies backpressure), so nothing
/// buffers without bound. Cancelling the consuming task, or dropping the iterator, closes
/// the request. The sequence ends when the server ends the watch (`timeoutSeconds`); an
/// `ERROR` frame is thrown as a `KubernetesError` (`isGone` for 410).
public struct WatchStream<Object: KubeResource>: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<Object>

    let body: HTTPClientResponse.Body
    let url: String

    public func makeAsyncIterator() -> Iterator {
        Iterator(chunks: body.makeAsyncIterator(), url: url)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var chunks: HTTPClientResponse.Body.AsyncIterator
        var splitter = LineSplitter()
        let url: String
        var finished = false

        init(chunks: HTTPClientResponse.Body.AsyncIterator, url: String) {
            self.chunks = chunks
            self.url = url
        }

        public mutating func next() async throws -> WatchEvent<Object>? {
            while !finished {
                if let line = splitter.nextLine() {
                    if line.isEmpty { continue }
                    return try Self.decode(line, url: url)
                }
                let chunk: ByteBuffer?
                do {
                    chunk = try await chunks.next()
                } catch let error as CancellationError {
                    throw error
                } catch {
                    throw KubernetesError.transport("watch \(url): stream failed: \(error)")
                }
                guard var chunk else {
                    finished = true
                    if let rest = splitter.remainder(), !rest.isEmpty { return try Self.decode(rest, url: url) }
                    return nil
                }
                splitter.append(chunk.readBytes(length: chunk.readableBytes) ?? [])
            }
            return nil
        }

        static func decode(_ line: [UInt8], url: String) throws -> WatchEvent<Object> {
            try WatchFrameDecoder<Object>.decode(Data(line), url: url)
        }
    }
}

/// Decodes one watch frame into an event, or throws its `ERROR` status. One JSON pass per
/// frame: the type and the typed object together.
enum WatchFrameDecoder<Object: KubeResource> {
    static func decode(_ data: Data, url: String) throws -> WatchEvent<Object> {
        if let readable = Object.self as? any JSONReadable.Type, let event = read(readable, from: data) {
            return event
        }
        let frame: AnyWatchFrame<Object>
        do {
            frame = try KubeJSON.decoder().decode(AnyWatchFrame<Object>.self, from: data)
        } catch {
            guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
                throw KubernetesError.decoding(
                    "watch \(url): frame is not JSON: \(String(decoding: data.prefix(200), as: UTF8.self))")
            }
            let type = (try? KubeJSON.decoder().decode(WatchFrame.self, from: data).type) ?? "?"
            throw KubernetesError.decoding("watch \(url): \(type) frame: \(KubernetesClient.describe(error))")
        }
        switch (frame.type, frame.payload) {
        case ("ADDED", .object(let object)): return .added(object)
        case ("MODIFIED", .object(let object)): return .modified(object)
        case ("DELETED", .object(let object)): return .deleted(object)
        case (_, .bookmark(let resourceVersion)): return .bookmark(resourceVersion: resourceVersion)
        case (_, .status(let status)): throw KubernetesError(status: status)
        default: throw KubernetesError.decoding("watch \(url): unknown event type \(frame.type)")
        }
    }

    /// An `ADDED`, `MODIFIED` or `DELETED` frame whose object the hand-written reader takes;
    /// nil for anything else (bookmarks, errors, the unexpected), which `Codable` decodes.
    private static func read<R: JSONReadable>(_ type: R.Type, from data: Data) -> WatchEvent<Object>? {
        let frame: ObjectFrame<R>
        do {
            frame = try JSONReader.read(ObjectFrame<R>.self, from: data)
        } catch {
            return nil
        }
        guard let object = frame.object as? Object else { return nil }
        switch frame.type {
        case "ADDED": return .added(object)
        case "MODIFIED": return .modified(object)
        case "DELETED": return .deleted(object)
        default: return nil
        }
    }
}

/// A frame whose object is a `R`, whatever its type says.
private struct ObjectFrame<R: JSONReadable>: JSONReadable {
    var type: String
    var object: R

    init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var type: String?
        var object: R?
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "type": try type.once(reader.read())
            case "object": try object.once(reader.read())
            default: try reader.skip(field)
            }
        }
        guard let type, let object else { throw JSONReader.Unexpected() }
        self.type = type
        self.object = object
    }
}

/// Splits a byte stream into newline-terminated lines.
struct LineSplitter {
    private var buffer: [UInt8] = []
    private var start = 0

    mutating func append(_ bytes: [UInt8]) {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete line without its newline, or nil.
    mutating func nextLine() -> [UInt8]? {
        guard let newline = buffer[start...].firstIndex(of: 10) else {
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            return nil
        }
        let line = Array(buffer[start..<newline])
        start = newline + 1
        return line
    }

    /// Whatever is left after the stream ended.
    mutating func remainder() -> [UInt8]? {
        guard start < buffer.count else { return nil }
        defer {
            buffer = []
            start = 0
        }
        return Array(buffer[start...])
    }
}
