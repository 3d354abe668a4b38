import Foundation
import KubeCore
import KubeTLS
import Testing
import X509

@testable import AirlockAdmission

@Suite struct WebhookTLSMaterialTests {
    static let day: TimeInterval = 24 * 3600
    let start = Date(timeIntervalSince1970: 1_750_000_000)
    let policy = WebhookTLSPolicy(
        dnsNames: ["airlock-webhook.airlock-system.svc", "airlock-webhook.airlock-system.svc.cluster.local"],
        ipAddresses: ["127.0.0.1"], caValidity: .seconds(Int64(30 * day)), servingValidity: .seconds(Int64(3 * day)))

    func certificate(_ pem: String) throws -> Certificate { try Certificate(pemEncoded: pem) }

    func issuer(of material: WebhookTLSMaterial) throws -> Certificate {
        try certificate(material.caCertificatePEM)
    }

    func isIssued(_ pem: String, by caPEM: String) throws -> Bool {
        let leaf = try certificate(pem)
        let ca = try certificate(caPEM)
        return ca.publicKey.isValidSignature(leaf.signature, for: leaf)
    }

    @Test func aFreshInstallationGetsACAAndAServingCertificateForEveryName() throws {
        let renewal = try #require(try WebhookTLSMaterial.renewal(of: nil, policy: policy, now: start))
        let material = renewal.material
        let serving = try certificate(material.servingCertificatePEM)
        let names = ServingNames(serving)
        #expect(names.dnsNames == Set(policy.dnsNames))
        #expect(names.ipAddresses == [[127, 0, 0, 1]])
        #expect(try isIssued(material.servingCertificatePEM, by: material.caCertificatePEM))
        #expect(
            material.caBundlePEM(now: start) == material.caCertificatePEM.trimmingCharacters(
                in: .whitespacesAndNewlines) + "\n")
        // Nothing to do right after.
        #expect(try WebhookTLSMaterial.renewal(of: material, policy: policy, now: start.addingTimeInterval(60)) == nil)
    }

    @Test func theServingCertificateIsRenewedWithAThirdOfItsLifetimeLeft() throws {
        let material = try WebhookTLSMaterial.generate(policy: policy, now: start)
        #expect(
            try WebhookTLSMaterial.renewal(of: material, policy: policy, now: start.addingTimeInterval(1.9 * Self.day))
                == nil)
        let renewal = try #require(
            try WebhookTLSMaterial.renewal(of: material, policy: policy, now: start.addingTimeInterval(2.1 * Self.day)))
        #expect(renewal.material.caCertificatePEM == material.caCertificatePEM)
        #expect(renewal.material.servingCertificatePEM != material.servingCertificatePEM)
        #expect(renewal.reasons.contains { $0.contains("reissued the serving certificate: it expires") })
        #expect(try isIssued(renewal.material.servingCertificatePEM, by: material.caCertificatePEM))
    }

    @Test func aNewNameOrAForeignCertificateIsReissued() throws {
        let material = try WebhookTLSMaterial.generate(policy: policy, now: start)
        var wider = policy
        wider.ipAddresses.append("::1")
        let renewal = try #require(try WebhookTLSMaterial.renewal(of: material, policy: wider, now: start))
        #expect(renewal.reasons == ["reissued the serving certificate: it lacks ::1"])
        #expect(try WebhookTLSMaterial.renewal(of: renewal.material, policy: wider, now: start) == nil)

        var foreign = material
        let other = try WebhookTLSMaterial.generate(policy: policy, now: start)
        foreign.servingCertificatePEM = other.servingCertificatePEM
        foreign.servingPrivateKeyPEM = other.servingPrivateKeyPEM
        #expect(
            try WebhookTLSMaterial.renewal(of: foreign, policy: policy, now: start)?.reasons
                == ["reissued the serving certificate: it was not issued by the current CA"])
        var mismatched = material
        mismatched.servingPrivateKeyPEM = other.servingPrivateKeyPEM
        #expect(
            try WebhookTLSMaterial.renewal(of: mismatched, policy: policy, now: start)?.reasons
                == ["reissued the serving certificate: its key does not match"])
    }

    @Test func theCARotatesInTwoStepsKeepingTheOldOneTrusted() throws {
        let original = try WebhookTLSMaterial.generate(policy: policy, now: start)
        // 21 days in: less than a third of 30 days left.
        let t1 = start.addingTimeInterval(21 * Self.day)
        let step1 = try #require(try WebhookTLSMaterial.renewal(of: original, policy: policy, now: t1)).material
        let nextCA = try #require(step1.nextCACertificatePEM)
        #expect(step1.caCertificatePEM == original.caCertificatePEM)
        // The serving certificate was also due (3-day lifetime), still from the current CA.
        #expect(try isIssued(step1.servingCertificatePEM, by: original.caCertificatePEM))
        let bundle1 = WebhookTLSMaterial.splitPEM(step1.caBundlePEM(now: t1))
        #expect(bundle1.count == 2)
        #expect(step1.caBundlePEM(now: t1).contains(nextCA.trimmingCharacters(in: .whitespacesAndNewlines)))

        // Not before the promotion delay: every API server must have seen the bundle first.
        #expect(step1.nextCACreatedAt == t1)
        #expect(try WebhookTLSMaterial.renewal(of: step1, policy: policy, now: t1.addingTimeInterval(60)) == nil)

        // A later check: the next CA takes over and issues; the old CA stays in the bundle.
        let t2 = t1.addingTimeInterval(3600)
        let step2 = try #require(try WebhookTLSMaterial.renewal(of: step1, policy: policy, now: t2)).material
        #expect(step2.caCertificatePEM == nextCA)
        #expect(step2.nextCACertificatePEM == nil)
        #expect(step2.previousCACertificatePEMs == [original.caCertificatePEM])
        #expect(try isIssued(step2.servingCertificatePEM, by: nextCA))
        #expect(WebhookTLSMaterial.splitPEM(step2.caBundlePEM(now: t2)).count == 2)
        #expect(try WebhookTLSMaterial.renewal(of: step2, policy: policy, now: t2.addingTimeInterval(60)) == nil)

        // Once the old CA has expired it leaves the bundle and the Secret.
        let t3 = start.addingTimeInterval(31 * Self.day)
        #expect(WebhookTLSMaterial.splitPEM(step2.caBundlePEM(now: t3)).count == 1)
        let step3 = try #require(try WebhookTLSMaterial.renewal(of: step2, policy: policy, now: t3)).material
        #expect(step3.previousCACertificatePEMs.isEmpty)
    }

    @Test func theSecretRoundTrips() throws {
        var material = try WebhookTLSMaterial.generate(policy: policy, now: start)
        material.nextCACertificatePEM = material.caCertificatePEM
        material.nextCAPrivateKeyPEM = material.caPrivateKeyPEM
        material.nextCACreatedAt = start
        let other = try WebhookTLSMaterial.generate(policy: policy, now: start)
        material.previousCACertificatePEMs = [other.caCertificatePEM, material.caCertificatePEM]
        let secret = Secret(
            metadata: ObjectMeta(name: "airlock-webhook-tls"), type: "kubernetes.io/tls", data: material.secretData)
        #expect(try WebhookTLSMaterial(secret: secret) == material)
        #expect(Set(material.secretData.keys).isSuperset(of: ["ca.crt", "tls.crt", "tls.key"]))

        var broken = secret
        broken.data?["tls.key"] = nil
        let error = #expect(throws: AdmissionError.self) { try WebhookTLSMaterial(secret: broken) }
        #expect(error?.message == "Secret /airlock-webhook-tls has no tls.key")
    }

    @Test func anUnreadableCAStartsOver() throws {
        var material = try WebhookTLSMaterial.generate(policy: policy, now: start)
        material.caPrivateKeyPEM = "garbage"
        let renewal = try #require(try WebhookTLSMaterial.renewal(of: material, policy: policy, now: start))
        #expect(renewal.material.caCertificatePEM != material.caCertificatePEM)
        #expect(renewal.reasons.first?.hasPrefix("the stored CA is unusable") == true)
    }

    @Test func theServicePolicyNamesTheServiceDNSNames() {
        let policy = WebhookTLSPolicy.service(
            namespace: "airlock-system", extraDNSNames: ["webhook.example"], ipAddresses: ["10.0.0.1"])
        #expect(
            policy.dnsNames == [
                "airlock-webhook.airlock-system.svc", "airlock-webhook.airlock-system.svc.cluster.local",
                "webhook.example",
            ])
        #expect(policy.ipAddresses == ["10.0.0.1"])
    }
}
