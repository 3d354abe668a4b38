import Foundation
import KubeTesting

/// `--audit-steps`: the API server writes an audit log of the writes to requests and grant
/// objects, and the floor and each lifecycle workload then say where a grant's time went,
/// write by write: the API server's time for each (received → answered) and the time between
/// one write's answer and the next write's arrival (for Airlock: the watch and the reconcile,
/// then the controller's turn between writes; for the floor: the bare loop's turn).
///
/// The log costs the API server time on every call it logs: compare runs with it only with
/// each other.
struct BenchAudit {
    let directory: URL

    var logFile: String { directory.appendingPathComponent("audit.log").path }
    var policyFile: String { directory.appendingPathComponent("policy.yaml").path }
    var apiServerFlags: [String] { APIServerAuditLog.flags(policyFile: policyFile, logFile: logFile) }

    /// A directory of its own with the policy in it.
    static func prepare() throws -> BenchAudit {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "airlock-bench-audit-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let audit = BenchAudit(directory: directory)
        let policy = APIServerAuditLog.policy(writesTo: [
            "airlock.dev": ["actionrequests", "actionrequests/status"],
            "rbac.authorization.k8s.io": ["roles", "rolebindings"],
        ])
        try policy.write(toFile: audit.policyFile, atomically: true, encoding: .utf8)
        return audit
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The writes' line, for the `count` requests named `<prefix>-<n>` created from `since` on.
    /// The log is batched: it is read until it has them all, or for up to 10 s.
    func report(prefix: String, count: Int, since: Date) async throws {
        var phases: [(phase: String, seconds: [Double])] = []
        let deadline = ContinuousClock.now + .seconds(10)
        repeat {
            let calls = try APIServerAuditLog.calls(inFile: logFile).filter { $0.received >= since }
            phases = APIServerAuditLog.phases(
                of: calls, steps: ["request", "Role", "RoleBinding", "status"],
                classify: { Self.classify($0, prefix: prefix) })
            if phases.first?.seconds.count ?? 0 >= count { break }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < deadline
        say(
            "  on the API server (audit log), per write and between writes: "
                + phases.map { phase, seconds in
                    var samples = Samples()
                    for value in seconds { samples.add(.seconds(value)) }
                    return
                        "\(phase) p50 \(Samples.ms(samples.percentile(50))), p99 \(Samples.ms(samples.percentile(99)))"
                }.joined(separator: "; ") + " ms (n=\(phases.first?.seconds.count ?? 0))")
    }

    /// Which lifecycle and step a call is: the request's create, its first status write, and
    /// the creates of its Role and RoleBinding (named `airlock-<request>-<digest>`).
    static func classify(_ call: APIServerAuditLog.Call, prefix: String) -> (lifecycle: String, step: String)? {
        guard let name = call.name else { return nil }
        switch (call.verb, call.resource) {
        case ("create", "actionrequests") where name.hasPrefix(prefix + "-"): return (name, "request")
        case ("update", "actionrequests/status") where name.hasPrefix(prefix + "-"): return (name, "status")
        case ("create", "roles"), ("create", "rolebindings"):
            guard name.hasPrefix("airlock-\(prefix)-"), let digest = name.lastIndex(of: "-") else { return nil }
            let request = String(name[name.index(name.startIndex, offsetBy: 8)..<digest])
            return (request, call.resource == "roles" ? "Role" : "RoleBinding")
        default: return nil
        }
    }
}
