import AsyncHTTPClient
import Foundation
import KubeCore
import Logging
import NIOCore
import NIOSSL
import Testing

@testable import AirlockAdmission

/// The HTTPS server on a real loopback socket: routes, status codes, and a certificate
/// replaced while the server runs.
@Suite struct WebhookServerTests {
    let policy = WebhookTLSPolicy(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])

    /// Runs the server on a free port for the duration of `body`.
    func withServer(
        store: ServingCertificateStore, _ body: (Int) async throws -> Void
    ) async throws {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "test.webhook")
        logger.logLevel = .warning
        let app = try AdmissionWebhookServer.application(
            handler: Fixtures.handler(), certificates: store, host: "127.0.0.1", port: 0, logger: logger,
            onListening: { continuation.yield($0) })
        let server = Task { try await app.run() }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await body(port)
        server.cancel()
        _ = await server.result
    }

    /// A fresh client (so a fresh TLS handshake) that trusts only `caPEM`.
    func post(
        _ path: String, body: String, port: Int, trusting caPEM: String, timeout: TimeAmount = .seconds(10)
    ) async throws -> (Int, Data) {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        do {
            var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await client.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 1 << 20)
            try await client.shutdown()
            return (Int(response.status.code), Data(buffer: bytes))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    @Test func servesBothWebhooksOverTLSAndSwapsTheCertificateWithoutARestart() async throws {
        let first = try WebhookTLSMaterial.generate(policy: policy)
        let store = try ServingCertificateStore(
            certificatePEM: first.servingCertificatePEM, privateKeyPEM: first.servingPrivateKeyPEM)
        try await withServer(store: store) { port in
            let object = Fixtures.json(Fixtures.request())
            let review = Fixtures.admissionReview(object: object)
            let body = String(decoding: try KubeJSON.encode(review), as: UTF8.self)
            let (status, data) = try await post("/mutate", body: body, port: port, trusting: first.caCertificatePEM)
            #expect(status == 200)
            let answer = try KubeJSON.decode(AdmissionReview.self, from: data)
            #expect(answer.response?.allowed == true)
            #expect(answer.response?.patch != nil)

            let (validateStatus, _) = try await post(
                "/validate", body: "{", port: port, trusting: first.caCertificatePEM)
            #expect(validateStatus == 400)

            // A certificate from another CA, swapped in while the server runs.
            let second = try WebhookTLSMaterial.generate(policy: policy)
            #expect(
                try store.update(
                    certificatePEM: second.servingCertificatePEM, privateKeyPEM: second.servingPrivateKeyPEM))
            #expect(
                try !store.update(
                    certificatePEM: second.servingCertificatePEM, privateKeyPEM: second.servingPrivateKeyPEM))
            let (after, _) = try await post("/mutate", body: body, port: port, trusting: second.caCertificatePEM)
            #expect(after == 200)
            // (AsyncHTTPClient retries failed handshakes until the deadline: keep it short.)
            await #expect(throws: (any Error).self) {
                _ = try await post(
                    "/mutate", body: body, port: port, trusting: first.caCertificatePEM, timeout: .seconds(1))
            }
        }
    }

    @Test func aKeyThatDoesNotMatchIsRefusedAndTheOldPairKeepsServing() throws {
        let first = try WebhookTLSMaterial.generate(policy: policy)
        let second = try WebhookTLSMaterial.generate(policy: policy)
        let store = try ServingCertificateStore(
            certificatePEM: first.servingCertificatePEM, privateKeyPEM: first.servingPrivateKeyPEM)
        #expect(throws: AdmissionError.self) {
            try store.update(certificatePEM: second.servingCertificatePEM, privateKeyPEM: first.servingPrivateKeyPEM)
        }
        #expect(store.certificatePEM == first.servingCertificatePEM)
        #expect(throws: AdmissionError.self) {
            try ServingCertificateStore(certificatePEM: "nope", privateKeyPEM: first.servingPrivateKeyPEM)
        }
    }

    @Test func mountedFilesAreReloaded() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "airlock-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("tls.crt")
        let key = directory.appendingPathComponent("tls.key")
        let first = try WebhookTLSMaterial.generate(policy: policy)
        try first.servingCertificatePEM.write(to: certificate, atomically: true, encoding: .utf8)
        try first.servingPrivateKeyPEM.write(to: key, atomically: true, encoding: .utf8)
        let files = try MountedCertificateFiles(certificatePath: certificate.path, privateKeyPath: key.path)
        #expect(files.store.certificatePEM == first.servingCertificatePEM)
        #expect(try await !files.reload())
        let second = try WebhookTLSMaterial.generate(policy: policy)
        try second.servingCertificatePEM.write(to: certificate, atomically: true, encoding: .utf8)
        try second.servingPrivateKeyPEM.write(to: key, atomically: true, encoding: .utf8)
        #expect(try await files.reload())
        #expect(files.store.certificatePEM == second.servingCertificatePEM)
        #expect(throws: AdmissionError.self) {
            try MountedCertificateFiles(certificatePath: "/nonexistent/tls.crt", privateKeyPath: key.path)
        }

        // The periodic check picks a renewal up by itself.
        let watcher = try MountedCertificateFiles(
            certificatePath: certificate.path, privateKeyPath: key.path, checkInterval: .milliseconds(20))
        let running = Task { try await watcher.run() }
        defer { running.cancel() }
        let third = try WebhookTLSMaterial.generate(policy: policy)
        try third.servingCertificatePEM.write(to: certificate, atomically: true, encoding: .utf8)
        try third.servingPrivateKeyPEM.write(to: key, atomically: true, encoding: .utf8)
        // Polled every 20 ms; the deadline only bounds a loaded machine's pauses.
        let deadline = ContinuousClock.now + .seconds(30)
        while watcher.store.certificatePEM != third.servingCertificatePEM, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(watcher.store.certificatePEM == third.servingCertificatePEM)
        running.cancel()
        _ = await running.result
    }
}
