import Testing

/// Issue 14's security sweep: every guardrail and every attack on the decision core, as one
/// suite across the test targets: `swift test --filter SecuritySweep` runs them all.
@Suite enum SecuritySweep {}
