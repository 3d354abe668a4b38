import Foundation
import Hummingbird
import HummingbirdTesting
import KubeCore
import Testing

@testable import KubeClient

/// A client dropped without `shutdown()` — a test that failed half-way, a caller's bug —
/// closes its connections instead of stopping the process (AsyncHTTPClient traps on an
/// unreleased client in debug builds: one failed test took the whole suite down with it).
@Suite struct ClientLifetimeTests {
    @Test func aClientDroppedWithoutShutdownClosesItsConnections() async throws {
        let router = Router()
        router.get("/api/v1/namespaces/ns/configmaps/c") { _, _ -> Response in
            Response(status: .ok, body: .init(byteBuffer: .init(string: #"{"metadata":{"name":"c"}}"#)))
        }
        try await Application(router: router).test(.live) { server in
            let port = try #require(server.port)
            // The test's own client connects first, so its connection is not counted as ours.
            _ = try await server.execute(uri: "/api/v1/namespaces/ns/configmaps/c", method: .get)
            let others = try Self.connections(toPort: port)
            let ours = try await Self.getThenDrop(port: port).subtracting(others)
            #expect(!ours.isEmpty, "the client's connection idles in its pool")
            let deadline = ContinuousClock.now + .seconds(10)
            while try !Self.connections(toPort: port).isDisjoint(with: ours) {
                guard ContinuousClock.now < deadline else {
                    Issue.record("the dropped client's connections are still open after 10 s")
                    return
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Uses a client (its connection then idles in the pool) and lets it go unreleased; the
    /// connections open just before it went.
    private static func getThenDrop(port: Int) async throws -> Set<Substring> {
        let client = try KubernetesClient(
            configuration: ClientConfiguration(server: URL(string: "http://127.0.0.1:\(port)")!, rateLimit: nil))
        #expect(try await client.get(ConfigMap.self, name: "c", namespace: "ns").metadata.name == "c")
        return try connections(toPort: port)
    }

    /// The local addresses of this process's established TCP connections to a loopback port,
    /// from /proc/net/tcp (`sl local rem st …`, addresses as hex `IP:PORT`, 01 ESTABLISHED).
    private static func connections(toPort port: Int) throws -> Set<Substring> {
        // Read to the end: the kernel serves the table a page per read, and a busy test
        // process has more sockets than a page holds.
        let file = try #require(FileHandle(forReadingAtPath: "/proc/self/net/tcp"))
        defer { try? file.close() }
        let table = String(decoding: try file.readToEnd() ?? Data(), as: UTF8.self)
        let remote = String(format: ":%04X", port)
        return Set(
            table.split(separator: "\n").dropFirst().compactMap { line in
                let fields = line.split(separator: " ")
                return fields.count > 3 && fields[2].hasSuffix(remote) && fields[3] == "01" ? fields[1] : nil
            })
    }
}
