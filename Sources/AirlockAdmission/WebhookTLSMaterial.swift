import Crypto
import Foundation
import KubeCore
import KubeTLS
import X509

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The self-bootstrapped webhook TLS material as it is kept in the Secret
/// `airlock-webhook-tls` (shared by every replica): the CA (with its key, so any replica can
/// renew the serving certificate), the serving certificate and key, and during a CA rotation
/// the next CA and the retired ones.
///
/// CA rotation takes two checks so the API server always trusts what is served: first the
/// next CA is created and added to the bundle (the serving certificate stays); at the next
/// check it becomes the CA, a serving certificate is issued from it, and the old CA stays in
/// the bundle (its key is dropped) until it expires.
public struct WebhookTLSMaterial: Sendable, Equatable {
    public var caCertificatePEM: String
    /// A secret.
    public var caPrivateKeyPEM: String
    public var servingCertificatePEM: String
    /// A secret.
    public var servingPrivateKeyPEM: String
    /// The CA that will replace the current one: already trusted, not yet issuing.
    public var nextCACertificatePEM: String?
    /// A secret.
    public var nextCAPrivateKeyPEM: String?
    /// When the next CA was made (it takes over ``WebhookTLSPolicy/caPromotionDelay`` later).
    public var nextCACreatedAt: Date?
    /// Retired CAs, trusted until they expire (replicas may still serve what they issued).
    public var previousCACertificatePEMs: [String]

    public init(
        caCertificatePEM: String, caPrivateKeyPEM: String, servingCertificatePEM: String,
        servingPrivateKeyPEM: String, nextCACertificatePEM: String? = nil, nextCAPrivateKeyPEM: String? = nil,
        nextCACreatedAt: Date? = nil, previousCACertificatePEMs: [String] = []
    ) {
        self.caCertificatePEM = caCertificatePEM
        self.caPrivateKeyPEM = caPrivateKeyPEM
        self.servingCertificatePEM = servingCertificatePEM
        self.servingPrivateKeyPEM = servingPrivateKeyPEM
        self.nextCACertificatePEM = nextCACertificatePEM
        self.nextCAPrivateKeyPEM = nextCAPrivateKeyPEM
        self.nextCACreatedAt = nextCACreatedAt
        self.previousCACertificatePEMs = previousCACertificatePEMs
    }

    // MARK: Bundle

    /// The PEM bundle the API server must trust: the CA, the next CA and every retired CA
    /// not yet expired at `now`, without duplicates.
    public func caBundlePEM(now: Date = Date()) -> String {
        var seen = Set<String>()
        var parts: [String] = []
        for pem in [caCertificatePEM] + [nextCACertificatePEM].compactMap({ $0 }) + previousCACertificatePEMs {
            let trimmed = pem.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, !seen.contains(trimmed) else { continue }
            if pem != caCertificatePEM, pem != nextCACertificatePEM,
                let certificate = try? Certificate(pemEncoded: pem), certificate.notValidAfter < now
            {
                continue
            }
            seen.insert(trimmed)
            parts.append(trimmed)
        }
        return parts.joined(separator: "\n") + "\n"
    }

    /// ``caBundlePEM(now:)`` base64-encoded, as `clientConfig.caBundle` carries it.
    public func caBundleBase64(now: Date = Date()) -> String {
        Data(caBundlePEM(now: now).utf8).base64EncodedString()
    }

    // MARK: Secret

    /// Data keys of the Secret. `ca.crt`, `tls.crt` and `tls.key` are the usual ones
    /// (`kubernetes.io/tls`); the others exist only for rotation.
    public enum SecretKey {
        public static let caCertificate = "ca.crt"
        public static let caPrivateKey = "ca.key"
        public static let certificate = "tls.crt"
        public static let privateKey = "tls.key"
        public static let nextCACertificate = "ca-next.crt"
        public static let nextCAPrivateKey = "ca-next.key"
        public static let nextCACreatedAt = "ca-next.created-at"
        public static let previousCACertificates = "ca-previous.crt"
    }

    /// The material kept in `secret`; throws when a required key is missing.
    public init(secret: Secret) throws {
        let data = secret.data ?? [:]
        func text(_ key: String) -> String? {
            data[key].flatMap { String(data: $0, encoding: .utf8) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        func required(_ key: String) throws -> String {
            guard let value = text(key) else {
                throw AdmissionError(
                    .tls,
                    "Secret \(secret.metadata.namespace ?? "")/\(secret.metadata.name ?? "") has no \(key)")
            }
            return value
        }
        self.init(
            caCertificatePEM: try required(SecretKey.caCertificate),
            caPrivateKeyPEM: try required(SecretKey.caPrivateKey),
            servingCertificatePEM: try required(SecretKey.certificate),
            servingPrivateKeyPEM: try required(SecretKey.privateKey),
            nextCACertificatePEM: text(SecretKey.nextCACertificate),
            nextCAPrivateKeyPEM: text(SecretKey.nextCAPrivateKey),
            nextCACreatedAt: text(SecretKey.nextCACreatedAt).flatMap(RFC3339.parse),
            previousCACertificatePEMs: text(SecretKey.previousCACertificates).map(Self.splitPEM) ?? [])
    }

    /// The Secret's data.
    public var secretData: [String: Data] {
        var data: [String: Data] = [
            SecretKey.caCertificate: Data(caCertificatePEM.utf8),
            SecretKey.caPrivateKey: Data(caPrivateKeyPEM.utf8),
            SecretKey.certificate: Data(servingCertificatePEM.utf8),
            SecretKey.privateKey: Data(servingPrivateKeyPEM.utf8),
        ]
        if let next = nextCACertificatePEM, let key = nextCAPrivateKeyPEM {
            data[SecretKey.nextCACertificate] = Data(next.utf8)
            data[SecretKey.nextCAPrivateKey] = Data(key.utf8)
            if let created = nextCACreatedAt {
                data[SecretKey.nextCACreatedAt] = Data(RFC3339.format(created).utf8)
            }
        }
        if !previousCACertificatePEMs.isEmpty {
            data[SecretKey.previousCACertificates] = Data(previousCACertificatePEMs.joined(separator: "\n").utf8)
        }
        return data
    }

    /// The certificate PEM blocks of a concatenation, each from BEGIN to END.
    static func splitPEM(_ text: String) -> [String] {
        let end = "-----END CERTIFICATE-----"
        return text.components(separatedBy: end).compactMap { chunk in
            guard let start = chunk.range(of: "-----BEGIN CERTIFICATE-----") else { return nil }
            return String(chunk[start.lowerBound...]) + end
        }
    }
}

// MARK: Renewal

extension WebhookTLSMaterial {
    /// What a renewal did, in words for the log.
    public struct Renewal: Sendable, Equatable {
        public var material: WebhookTLSMaterial
        public var reasons: [String]
    }

    /// New material for a fresh installation: a CA and a serving certificate.
    public static func generate(policy: WebhookTLSPolicy, now: Date = Date()) throws -> WebhookTLSMaterial {
        let ca = try CertificateAuthority.generate(
            commonName: "airlock-webhook-ca", validity: policy.caValidity, now: now)
        let serving = try issue(from: ca, policy: policy, now: now)
        return WebhookTLSMaterial(
            caCertificatePEM: ca.certificatePEM, caPrivateKeyPEM: ca.privateKeyPEM,
            servingCertificatePEM: serving.certificatePEM, servingPrivateKeyPEM: serving.privateKeyPEM)
    }

    /// The material to store after a check at `now`, or nil when nothing needs to change.
    ///
    /// - No material, or a CA that cannot be read: everything new.
    /// - A next CA made at least `caPromotionDelay` ago (so already in every bundle) becomes
    ///   the CA and issues a new serving certificate; the old CA is retired.
    /// - The CA has less than `renewalFraction` of its lifetime left and there is no next CA
    ///   yet: a next CA is made.
    /// - The serving certificate has less than `renewalFraction` of its lifetime left, lacks
    ///   a required name, was not issued by the CA, or does not match its key: reissued.
    /// - Retired CAs that expired are dropped.
    public static func renewal(
        of material: WebhookTLSMaterial?, policy: WebhookTLSPolicy, now: Date = Date()
    ) throws -> Renewal? {
        guard let material else {
            return Renewal(material: try generate(policy: policy, now: now), reasons: ["no webhook TLS material yet"])
        }
        let ca: CertificateAuthority
        do {
            ca = try CertificateAuthority(
                certificatePEM: material.caCertificatePEM, privateKeyPEM: material.caPrivateKeyPEM)
        } catch {
            return Renewal(
                material: try generate(policy: policy, now: now), reasons: ["the stored CA is unusable (\(error))"])
        }
        var next = material
        var reasons: [String] = []

        let livePrevious = material.previousCACertificatePEMs.filter { pem in
            guard let certificate = try? Certificate(pemEncoded: pem) else { return false }
            return certificate.notValidAfter > now
        }
        if livePrevious != material.previousCACertificatePEMs {
            next.previousCACertificatePEMs = livePrevious
            reasons.append("dropped expired retired CAs")
        }

        if let nextPEM = material.nextCACertificatePEM, let nextKey = material.nextCAPrivateKeyPEM,
            let nextCA = try? CertificateAuthority(certificatePEM: nextPEM, privateKeyPEM: nextKey)
        {
            let since = material.nextCACreatedAt ?? .distantPast
            if now.timeIntervalSince(since) >= Double(policy.caPromotionDelay.components.seconds) {
                let serving = try issue(from: nextCA, policy: policy, now: now)
                next.previousCACertificatePEMs =
                    [material.caCertificatePEM.trimmingCharacters(in: .whitespacesAndNewlines)]
                    + next.previousCACertificatePEMs
                next.caCertificatePEM = nextCA.certificatePEM
                next.caPrivateKeyPEM = nextCA.privateKeyPEM
                next.nextCACertificatePEM = nil
                next.nextCAPrivateKeyPEM = nil
                next.nextCACreatedAt = nil
                next.servingCertificatePEM = serving.certificatePEM
                next.servingPrivateKeyPEM = serving.privateKeyPEM
                reasons.append("the next CA took over and issued a new serving certificate")
                return Renewal(material: next, reasons: reasons)
            }
        } else if material.nextCACertificatePEM != nil {
            next.nextCACertificatePEM = nil
            next.nextCAPrivateKeyPEM = nil
            next.nextCACreatedAt = nil
            reasons.append("dropped an unusable next CA")
        }

        if next.nextCACertificatePEM == nil, nearsExpiry(ca.certificate, fraction: policy.renewalFraction, now: now) {
            let nextCA = try CertificateAuthority.generate(
                commonName: "airlock-webhook-ca", validity: policy.caValidity, now: now)
            next.nextCACertificatePEM = nextCA.certificatePEM
            next.nextCAPrivateKeyPEM = nextCA.privateKeyPEM
            next.nextCACreatedAt = now
            reasons.append("the CA nears expiry (\(ca.certificate.notValidAfter)); made the next CA")
        }
        if let problem = servingProblem(material, ca: ca, policy: policy, now: now) {
            let serving = try issue(from: ca, policy: policy, now: now)
            next.servingCertificatePEM = serving.certificatePEM
            next.servingPrivateKeyPEM = serving.privateKeyPEM
            reasons.append("reissued the serving certificate: \(problem)")
        }
        return reasons.isEmpty ? nil : Renewal(material: next, reasons: reasons)
    }

    /// Why the serving certificate must be reissued, or nil.
    static func servingProblem(
        _ material: WebhookTLSMaterial, ca: CertificateAuthority, policy: WebhookTLSPolicy, now: Date
    ) -> String? {
        guard let certificate = try? Certificate(pemEncoded: material.servingCertificatePEM) else {
            return "it is not a PEM certificate"
        }
        guard let key = try? Certificate.PrivateKey(pemEncoded: material.servingPrivateKeyPEM),
            key.publicKey == certificate.publicKey
        else { return "its key does not match" }
        guard certificate.issuer == ca.certificate.subject,
            ca.certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
        else { return "it was not issued by the current CA" }
        if nearsExpiry(certificate, fraction: policy.renewalFraction, now: now) {
            return "it expires at \(certificate.notValidAfter)"
        }
        let names = ServingNames(certificate)
        let missing =
            policy.dnsNames.filter { !names.dnsNames.contains($0.lowercased()) }
            + policy.ipAddresses.filter { !names.ipAddresses.contains(ServingNames.normalize(ip: $0)) }
        if !missing.isEmpty { return "it lacks \(missing.joined(separator: ", "))" }
        return nil
    }

    /// Whether less than `fraction` of the certificate's lifetime remains at `now`.
    static func nearsExpiry(_ certificate: Certificate, fraction: Double, now: Date) -> Bool {
        let lifetime = certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore)
        return certificate.notValidAfter.timeIntervalSince(now) < lifetime * fraction
    }

    /// A serving certificate for the policy's names, ending no later than the CA.
    static func issue(from ca: CertificateAuthority, policy: WebhookTLSPolicy, now: Date) throws -> ServingCertificate {
        let caRemaining = ca.certificate.notValidAfter.timeIntervalSince(now)
        let wanted = Double(policy.servingValidity.components.seconds)
        let validity = Duration.seconds(max(60, min(wanted, caRemaining)))
        return try ca.issueServingCertificate(
            dnsNames: policy.dnsNames, ipAddresses: policy.ipAddresses, validity: validity, now: now)
    }
}

/// The DNS names and IP addresses a certificate is valid for.
struct ServingNames {
    var dnsNames: Set<String> = []
    var ipAddresses: Set<[UInt8]> = []

    init(_ certificate: Certificate) {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return }
        for name in names {
            switch name {
            case .dnsName(let dns): dnsNames.insert(dns.lowercased())
            case .ipAddress(let bytes): ipAddresses.insert(Array(bytes.bytes))
            default: break
            }
        }
    }

    /// The bytes of an IP address (4 or 16), or the text's bytes when it is none (never
    /// matches, so the certificate is reissued and its issuing fails with a clear error).
    static func normalize(ip: String) -> [UInt8] {
        var v4 = in_addr()
        if inet_pton(AF_INET, ip, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, ip, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return Array(ip.utf8)
    }
}
