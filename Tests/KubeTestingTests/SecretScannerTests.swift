import Foundation
import KubeTLS
import KubeTesting
import Logging
import Testing

/// The log sweep's scanner finds what it must (each credential shape, each known value) and
/// nothing in ordinary lines; it names what it found, never the value.
@Suite struct SecretScannerTests {
    let scanner = SecretScanner(known: ["s3cr3t-signing-value": "the signing secret", "short": "too short to search"])

    /// Credentials planted in a line. The lines are made in the test: as arguments their text
    /// would be printed in the test output, which `hack/scan-logs.sh` rightly refuses.
    enum Planted: CaseIterable {
        case slackToken, jwt, ecKey, pkcs8Key, kubeconfigKeyData, webhookSecret, knownValue

        var line: String {
            switch self {
            case .slackToken: "posting with " + "xoxb" + "-1234-5678-abcdefgh"
            case .jwt: "Authorization: Bearer " + "eyJ" + "hbGciOiJSUzI1NiJ9." + "eyJ" + "zdWIiOiJzeXN0ZW06c2EifQ.sig"
            case .ecKey: "-----BEGIN EC " + "PRIVATE KEY-----"
            case .pkcs8Key: "-----BEGIN " + "PRIVATE KEY-----"
            case .kubeconfigKeyData: "users: [{user: {client-key" + "-data: LS0t}}]"
            case .webhookSecret: "secret " + "whsec" + "_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
            case .knownValue: "hmac with s3cr3t-signing-value"
            }
        }

        var finding: String {
            switch self {
            case .slackToken: "a Slack token"
            case .jwt: "a JWT"
            case .ecKey, .pkcs8Key: "a PEM private key"
            case .kubeconfigKeyData: "kubeconfig key data"
            case .webhookSecret: "a Standard Webhooks secret"
            case .knownValue: "the signing secret"
            }
        }
    }

    @Test(arguments: Planted.allCases)
    func findsEachCredential(_ planted: Planted) {
        #expect(scanner.findings(in: planted.line) == [planted.finding])
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
