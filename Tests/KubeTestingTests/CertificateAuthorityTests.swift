import Crypto
import Foundation
import KubeTLS
import Testing
import X509

@Suite struct CertificateAuthorityTests {
    /// Verifies `certificate` against `ca` as a TLS client connecting to `hostname`/`ip` would.
    func verify(
        _ certificate: Certificate, ca: Certificate, hostname: String? = nil, ip: String? = nil
    ) async
        -> Bool
    {
        var verifier = Verifier(rootCertificates: CertificateStore([ca])) {
            RFC5280Policy(validationTime: Date())
            ServerIdentityPolicy(serverHostname: hostname, serverIP: ip)
        }
        let result = await verifier.validate(leaf: certificate, intermediates: CertificateStore())
        if case .validCertificate = result { return true }
        return false
    }

    @Test func issuedCertificateVerifiesAgainstTheCAForEachSAN() async throws {
        let ca = try CertificateAuthority.generate()
        let serving = try ca.issueServingCertificate(
            dnsNames: ["localhost", "airlock-webhook.airlock-system.svc"], ipAddresses: ["127.0.0.1", "::1"])

        #expect(await verify(serving.certificate, ca: ca.certificate, ip: "127.0.0.1"))
        #expect(await verify(serving.certificate, ca: ca.certificate, ip: "::1"))
        #expect(await verify(serving.certificate, ca: ca.certificate, hostname: "localhost"))
        #expect(await verify(serving.certificate, ca: ca.certificate, hostname: "airlock-webhook.airlock-system.svc"))
        #expect(!(await verify(serving.certificate, ca: ca.certificate, hostname: "example.com")))
        #expect(!(await verify(serving.certificate, ca: ca.certificate, ip: "10.0.0.1")))

        let otherCA = try CertificateAuthority.generate()
        #expect(!(await verify(serving.certificate, ca: otherCA.certificate, ip: "127.0.0.1")))

        let names = try #require(try serving.certificate.extensions.subjectAlternativeNames)
        #expect(names.contains(.dnsName("localhost")))
        #expect(names.contains(.ipAddress(.init(contentBytes: [127, 0, 0, 1]))))
        #expect(try serving.certificate.extensions.basicConstraints == .notCertificateAuthority)
        #expect(serving.caCertificatePEM == ca.certificatePEM)
    }

    @Test func validityIsConfigurable() throws {
        let now = Date()
        let ca = try CertificateAuthority.generate(now: now)
        let serving = try ca.issueServingCertificate(ipAddresses: ["127.0.0.1"], validity: .seconds(3600), now: now)
        #expect(abs(serving.certificate.notValidAfter.timeIntervalSince(now) - 3600) < 2)
        #expect(serving.certificate.notValidBefore < now)
    }

    @Test func pemRoundTripKeepsTheCA() async throws {
        let ca = try CertificateAuthority.generate()
        #expect(ca.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(ca.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))

        let loaded = try CertificateAuthority(certificatePEM: ca.certificatePEM, privateKeyPEM: ca.privateKeyPEM)
        #expect(loaded.certificate == ca.certificate)
        // A certificate issued by the reloaded CA verifies against the original CA bundle.
        let serving = try loaded.issueServingCertificate(dnsNames: ["localhost"])
        let reparsed = try Certificate(pemEncoded: serving.certificatePEM)
        #expect(await verify(reparsed, ca: ca.certificate, hostname: "localhost"))
        _ = try P256.Signing.PrivateKey(pemRepresentation: serving.privateKeyPEM)
    }

    @Test func loadingRejectsAMismatchedKeyOrGarbage() throws {
        let ca = try CertificateAuthority.generate()
        let other = try CertificateAuthority.generate()
        #expect(throws: KubeTLSError.self) {
            try CertificateAuthority(certificatePEM: ca.certificatePEM, privateKeyPEM: other.privateKeyPEM)
        }
        #expect(throws: KubeTLSError.self) {
            try CertificateAuthority(certificatePEM: "not a pem", privateKeyPEM: ca.privateKeyPEM)
        }
        #expect(throws: KubeTLSError.self) {
            try CertificateAuthority(certificatePEM: ca.certificatePEM, privateKeyPEM: "not a key")
        }
    }

    @Test func issuingRejectsBadAddresses() throws {
        let ca = try CertificateAuthority.generate()
        #expect(throws: KubeTLSError.self) { try ca.issueServingCertificate(ipAddresses: ["localhost"]) }
        #expect(throws: KubeTLSError.self) { try ca.issueServingCertificate() }
    }

    @Test func signingKeyPairIsP256PEM() throws {
        let pair = SigningKeyPair.generateP256()
        let privateKey = try P256.Signing.PrivateKey(pemRepresentation: pair.privateKeyPEM)
        let publicKey = try P256.Signing.PublicKey(pemRepresentation: pair.publicKeyPEM)
        #expect(privateKey.publicKey.rawRepresentation == publicKey.rawRepresentation)
        #expect(pair.publicKeyPEM.hasPrefix("-----BEGIN PUBLIC KEY-----"))
    }
}
