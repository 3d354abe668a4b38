import Foundation
import KubeTesting
import Testing

/// `airlock demo --scripted` (what `hack/run.sh --scripted` runs): its own API server, Airlock,
/// the approval inbox, and every step of the walk-through printed, to a clean exit.
@Suite struct DemoTests {
    static let steps = [
        "An agent's request arrives: alice asks to delete ConfigMap shop/checkout",
        "Pending:",
        "The approval card is in the inbox (#airlock-approvals): open http://127.0.0.1:",
        "Clicking Approve as bob",
        "Approved by bob from the inbox: Granted until",
        "delete ConfigMap shop/checkout: done (exactly the approved action)",
        "delete ConfigMap shop/payments: refused (403 Forbidden)",
        "list Secrets in shop: refused (403 Forbidden)",
        "Expiry: the access ends at",
        "Expired at",
        "the same token, delete ConfigMap shop/checkout again: refused (40",
        "Audit chain verified:",
        "Timing: first card shown",
    ]

    @Test(.timeLimit(.minutes(4))) func theScriptedWalkThroughPrintsEveryStep() async throws {
        let runner = try CLIRunner(plane: try await TestControlPlane.shared())
        // Long enough for the agent to use the grant on a loaded machine: with 5 s, it had ended
        // (its ServiceAccount deleted: 401) before the walk-through used the token.
        let result = try await runner.start(["demo", "--scripted", "--grant-duration", "15s"], as: nil)
            .result(timeout: .seconds(180))
        #expect(result.code == 0, "\(result)")
        var rest = Substring(result.stdout)
        for step in Self.steps {
            guard let found = rest.range(of: step) else {
                Issue.record("missing, or out of order: \(step)\n\(result.stdout)")
                return
            }
            rest = rest[found.upperBound...]
        }
        #expect(!result.stdout.contains("failed"), "\(result.stdout)")
    }
}
