import Foundation
import KubeTLS
import KubeTesting
import Logging
import Testing

/// The log sweep's scanner finds what it must (each credential shape, each known value) and
/// nothing in ordinary lines; it names what it found, never the value.
@Suite struct SecretScannerTests {
    let scanner = SecretScanner(known: ["s3cr3t-signing-value": "the signing secret", "short": "too short to search"])

    @Test(arguments: [
        ("posting with xoxb-1234-5678-abcdefgh", "a Slack token"),
        ("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.sig", "a JWT"),
        ("-----BEGIN EC PRIVATE KEY-----", "a PEM private key"),
        ("-----BEGIN PRIVATE KEY-----", "a PEM private key"),
        ("users: [{user: {client-key-data: LS0t}}]", "kubeconfig key data"),
        ("secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "a Standard Webhooks secret"),
        ("hmac with s3cr3t-signing-value", "the signing secret"),
    ])
    func findsEachCredential(line: String, finding: String) {
        #expect(scanner.findings(in: line) == [finding])
    }

    @Test func ordinaryLinesAndShortValuesAreClean() {
        for line in [
            "reconciled team-a/fix-db in 3 ms", "posted the card to C0APPROVALS", "token file re-read",
            "the short answer", "certificate-authority-data is set", "BEGIN CERTIFICATE",
        ] {
            #expect(scanner.findings(in: line).isEmpty, "\(line)")
        }
    }

    @Test func aGeneratedPrivateKeyIsFound() throws {
        let pair = SigningKeyPair.generateP256()
        #expect(scanner.findings(in: pair.privateKeyPEM) == ["a PEM private key"])
    }

    /// Once installed, the sweep sees lines below the level a logger prints.
    @Test func theSweepChecksLinesThatAreNotPrinted() {
        LogSweep.install()
        var logger = Logger(label: "test.sweep")
        logger.logLevel = .critical
        let before = LogSweep.summary.lines
        logger.trace("a quiet line")
        logger.debug("another", metadata: ["key": "value"])
        #expect(LogSweep.summary.lines >= before + 2)
    }
}
