import AirlockAPI
import AirlockCLI
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

/// The `airlock` CLI end to end: the built binary run as separate processes with different
/// users' kubeconfig contexts, against the real API server with Airlock's webhook and
/// controller running (``AirlockFixture``): alice and dave request, bob and carol review.
@Suite struct CLITests {
    static func requireBinary() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: CLIRunner.binary),
            "build the executable first: swift build --build-tests (hack/test.sh does)")
    }

    /// A fixture, a runner, and admin-made ConfigMaps `cm1` and `cm2` in the target namespace.
    static func with(_ prefix: String, _ body: (AirlockFixture, CLIRunner) async throws -> Void) async throws {
        try requireBinary()
        try await AirlockFixture.with(prefix) { fixture in
            for name in ["cm1", "cm2"] {
                _ = try await fixture.admin.create(
                    ConfigMap(metadata: ObjectMeta(name: name, namespace: fixture.target), data: ["k": name]))
            }
            try await body(fixture, try CLIRunner(plane: fixture.plane))
        }
    }

    @Test func requestWaitSucceedsAfterAnotherUsersApproveAndTheCredentialDoesOnlyThat() async throws {
        try await Self.with("cli-grant") { fixture, cli in
            let kubeconfig = cli.directory.appendingPathComponent("grant.kubeconfig").path
            let waiting = try await cli.start(
                [
                    "request", "--allow", "get configmaps/cm1 -n \(fixture.target)", "--for", "10m", "--reason",
                    "read cm1 for the migration", "--ticket", "INC-1", "--name", "read-cm1", "--wait", "--timeout",
                    "60s", "--kubeconfig-out", kubeconfig, "-n", fixture.namespace, "-o", "json",
                ], as: "alice")
            let pending = try await Self.waitFor(fixture, "read-cm1", .pending)
            #expect(pending.spec.requester?.username == "alice")
            #expect(pending.spec.ticket == "INC-1" && pending.spec.effectiveCredential == .ephemeral)

            let approve = try await cli.run(
                ["approve", "read-cm1", "--comment", "ok for the migration", "-n", fixture.namespace, "-o", "json"],
                as: "bob")
            #expect(approve.code == 0, "\(approve)")
            #expect(try approve.json()["counted"] as? Bool == true)

            let result = try await waiting.result()
            #expect(result.code == 0, "\(result)")
            let outcome = try result.json()
            #expect(outcome["granted"] as? Bool == true && outcome["phase"] as? String == "Granted")
            #expect(outcome["reason"] as? String == "AccessGranted")
            #expect(outcome["kubeconfigPath"] as? String == kubeconfig)
            #expect(outcome["expiresAt"] is String && outcome["credentialSecretName"] is String)

            // Mode 0600, and the token is never printed.
            let attributes = try FileManager.default.attributesOfItem(atPath: kubeconfig)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let granted = try await fixture.get("read-cm1")
            let secret = try await fixture.admin.get(
                Secret.self, name: granted.status?.credentialSecretName ?? "", namespace: fixture.namespace)
            let token = String(decoding: try #require(secret.data?["token"]), as: UTF8.self)
            #expect(!token.isEmpty && !result.stdout.contains(token) && !result.stderr.contains(token))

            // The credential can do the asked action and nothing else.
            let credential = try KubernetesClient(configuration: try ClientConfiguration.kubeconfig(path: kubeconfig))
            defer { Task { try? await credential.shutdown() } }
            let read = try await credential.get(ConfigMap.self, name: "cm1", namespace: fixture.target)
            #expect(read.data?["k"] == "cm1")
            try await Self.expectForbidden("get cm2") {
                _ = try await credential.get(ConfigMap.self, name: "cm2", namespace: fixture.target)
            }
            try await Self.expectForbidden("delete cm1") {
                try await credential.delete(ConfigMap.self, name: "cm1", namespace: fixture.target)
            }
            try await Self.expectForbidden("list configmaps") {
                _ = try await credential.list(ConfigMap.self, namespace: fixture.target)
            }
            try await Self.expectForbidden("get a ConfigMap in another namespace") {
                _ = try await credential.get(ConfigMap.self, name: "cm1", namespace: fixture.namespace)
            }
            try await Self.expectForbidden("create an ActionRequest") {
                _ = try await credential.create(
                    ActionRequest(metadata: ObjectMeta(name: "x", namespace: fixture.namespace), spec: pending.spec))
            }
        }
    }

    /// The fixture namespace's requests, less the fixture's own start-up probes (deleted, and
    /// gone once the controller has removed their finalizer).
    static func liveRequests(_ fixture: AirlockFixture) async throws -> [String] {
        try await fixture.admin.list(ActionRequest.self, namespace: fixture.namespace).items
            .filter { $0.metadata.deletionTimestamp == nil }.compactMap(\.metadata.name)
    }

    /// Waits for a request the CLI creates (it may not exist yet) to reach `phase`.
    @discardableResult
    static func waitFor(
        _ fixture: AirlockFixture, _ name: String, _ phase: ActionRequestPhase
    ) async throws
        -> ActionRequest
    {
        try await eventually("\(name) to exist", timeout: .seconds(30), interval: .milliseconds(50)) {
            do {
                _ = try await fixture.get(name)
                return true
            } catch let error as KubernetesError where error.isNotFound {
                return false
            }
        }
        return try await fixture.waitFor(name, phase)
    }

    static func expectForbidden(_ what: String, _ call: () async throws -> Void) async throws {
        do {
            try await call()
            Issue.record("\(what) was allowed")
        } catch let error as KubernetesError {
            #expect(error.isForbidden, "\(what): \(error)")
        }
    }

    @Test func aDenialExitsThreeWithTheReviewersReason() async throws {
        try await Self.with("cli-deny") { fixture, cli in
            let waiting = try await cli.start(
                [
                    "request", "--allow", "get configmaps/cm1 -n \(fixture.target)", "--for", "5m", "--reason", "r",
                    "--name", "denied-one", "--wait", "--timeout", "60s", "-n", fixture.namespace, "-o", "json",
                ], as: "alice")
            try await Self.waitFor(fixture, "denied-one", .pending)
            let deny = try await cli.run(
                ["deny", "denied-one", "--comment", "not during the freeze", "-n", fixture.namespace], as: "carol")
            #expect(deny.code == 0, "\(deny)")
            #expect(deny.stdout.contains("Deny of \(fixture.namespace)/denied-one"))

            let result = try await waiting.result()
            #expect(result.code == 3, "\(result)")
            let outcome = try result.json()
            #expect(outcome["phase"] as? String == "Denied" && outcome["reason"] as? String == "DeniedByReviewer")
            #expect((outcome["message"] as? String)?.contains("not during the freeze") == true, "\(outcome)")
            #expect(outcome["granted"] as? Bool == false && outcome["exitCode"] as? Int == 3)

            // Denied at once by a policy: `request` without --wait says so, and exits 3 too.
            try await fixture.policy(
                "no-pod-deletes", ApprovalPolicySpec(match: PolicyMatch(resources: ["pods"]), decision: .deny))
            let refused = try await cli.run(
                [
                    "request", "--allow", "delete pods/db-0 -n \(fixture.target)", "--for", "5m", "--reason", "r",
                    "-n", fixture.namespace,
                ], as: "alice")
            #expect(refused.code == 3, "\(refused)")
            #expect(refused.stdout.contains(": Denied (DeniedByPolicy): "), "\(refused)")

            // `airlock wait` on the finished request says the same, in text for a pipe (no colour).
            let again = try await cli.run(["wait", "denied-one", "-n", fixture.namespace], as: "alice")
            #expect(again.code == 3)
            #expect(
                again.stdout.hasPrefix("Denied (DeniedByReviewer): \(fixture.namespace)/denied-one: denied by carol"))
            #expect(!again.stdout.contains("\u{1B}[") && again.stderr.isEmpty, "\(again)")
        }
    }

    @Test func pendingTimeoutsExitNonZeroWithTheReason() async throws {
        try await Self.with("cli-timeout") { fixture, cli in
            // The caller's own --timeout: 7, TimedOut; the request stays Pending.
            let impatient = try await cli.run(
                [
                    "request", "--allow", "get configmaps/cm1 -n \(fixture.target)", "--for", "5m", "--reason", "r",
                    "--name", "impatient", "--wait", "--timeout", "2s", "-n", fixture.namespace,
                ], as: "alice")
            #expect(impatient.code == 7, "\(impatient)")
            #expect(impatient.stdout.hasPrefix("Pending (TimedOut): \(fixture.namespace)/impatient: still undecided"))
            #expect(impatient.stdout.contains("0 of 1 approvals"), "\(impatient)")
            #expect(try await fixture.get("impatient").status?.phase == .pending)

            // On a terminal (util-linux `script` provides one): colour and a live status line on
            // stderr, redrawn in place; the pipe above got neither.
            let command = [
                "env", "-u", "NO_COLOR", "TERM=xterm", CLIRunner.binary, "wait", "impatient", "--timeout", "2s", "-n",
                fixture.namespace, "--kubeconfig", cli.kubeconfig, "--context", "alice",
            ].joined(separator: " ")
            let terminal = try await cli.start(
                ["-qfec", command, "/dev/null"], as: nil, executable: "/usr/bin/script"
            ).result()
            #expect(terminal.code == 7, "\(terminal)")
            #expect(
                terminal.stdout.contains("\u{1B}[2K\r\u{1B}[33m…\u{1B}[0m [0s] Pending: 0 of 1 approvals"),
                "\(terminal)")
            #expect(terminal.stdout.contains("\u{1B}[33mPending\u{1B}[0m (TimedOut)"), "\(terminal)")
            // NO_COLOR turns colour off, also on a terminal.
            let noColour = try await cli.start(
                ["-qfec", command.replacingOccurrences(of: "-u NO_COLOR", with: "NO_COLOR=1"), "/dev/null"], as: nil,
                executable: "/usr/bin/script"
            ).result()
            #expect(noColour.code == 7 && noColour.stdout.contains("Pending (TimedOut)"), "\(noColour)")

            // Nobody reviews before the policy's pending timeout: 4, NotReviewed.
            try await fixture.policy(
                "short-review",
                ApprovalPolicySpec(
                    match: PolicyMatch(resources: ["secrets"]), decision: .requireApproval,
                    approvals: ApprovalRequirement(required: 1), maxDuration: KubeDuration(seconds: 3600),
                    pendingTimeout: KubeDuration(seconds: 3)))
            let unreviewed = try await cli.run(
                [
                    "request", "--allow", "get secrets/s1 -n \(fixture.target)", "--for", "5m", "--reason", "r",
                    "--name", "unreviewed", "--wait", "--timeout", "60s", "-n", fixture.namespace, "-o", "json",
                ], as: "alice")
            #expect(unreviewed.code == 4, "\(unreviewed)")
            let outcome = try unreviewed.json()
            #expect(outcome["phase"] as? String == "Expired" && outcome["reason"] as? String == "NotReviewed")
        }
    }

    @Test func listDescribeRevokeShowTheState() async throws {
        try await Self.with("cli-list") { fixture, cli in
            let created = try await cli.run(
                [
                    "request", "--allow", "get configmaps/cm1 -n \(fixture.target)", "--for", "10m", "--reason",
                    "look at cm1", "--credential", "Subject", "-n", fixture.namespace,
                ], as: "alice")
            #expect(created.code == 0, "\(created)")
            #expect(created.stdout.contains(": Pending: needs review, 0 of 1 approvals"), "\(created)")
            let name = try #require(
                created.stdout.split(separator: " ").dropFirst().first?.split(separator: ":").first?
                    .split(separator: "/").last.map(String.init))
            #expect(name.hasPrefix("get-configmaps-cm1-"))

            let list = try await cli.run(["list", "--pending", "-n", fixture.namespace, "-o", "json"], as: "bob")
            #expect(list.code == 0, "\(list)")
            let items = try #require(try list.json()["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items.first?["name"] as? String == name && items.first?["requester"] as? String == "alice")
            #expect(items.first?["asks"] as? [String] == ["get configmaps/cm1 -n \(fixture.target)"])
            #expect((items.first?["approvals"] as? [String: Any])?["required"] as? Int == 1)
            let table = try await cli.run(["list", "-A"], as: "admin")
            #expect(table.code == 0 && table.stdout.hasPrefix("NAMESPACE"), "\(table)")
            #expect(table.stdout.contains(name) && table.stdout.contains("Pending") && table.stdout.contains("0/1"))

            let describe = try await cli.run(["describe", name, "-n", fixture.namespace], as: "bob")
            #expect(describe.code == 0, "\(describe)")
            #expect(describe.stdout.contains("Asks:       get configmaps/cm1 -n \(fixture.target)"), "\(describe)")
            #expect(describe.stdout.contains("Decision:   RequireApproval"))
            #expect(describe.stdout.contains("Reviews: none"))

            // alice may not approve her own request: the review does not count (exit 9).
            let selfApproval = try await cli.run(["approve", name, "-n", fixture.namespace], as: "alice")
            #expect(selfApproval.code == 9, "\(selfApproval)")
            #expect(selfApproval.stdout.contains("did NOT count: SelfApproval"))
            let approve = try await cli.run(["approve", name, "--for", "5m", "-n", fixture.namespace], as: "bob")
            #expect(approve.code == 0, "\(approve)")
            try await fixture.waitFor(name, .granted)

            let detail = try await cli.run(["describe", name, "-n", fixture.namespace, "-o", "yaml"], as: "alice")
            #expect(detail.code == 0, "\(detail)")
            let document = try #require(try KubeYAML.documents(detail.stdout).first)
            let summary = try KubeJSON.decode(RequestSummary.self, from: KubeJSON.encode(document))
            #expect(summary.phase == "Granted" && summary.requester == "alice")
            #expect(summary.reviews.first { $0.counted }?.reviewer == "bob")
            #expect(summary.reviews.first { !$0.counted }?.rejectedReason?.hasPrefix("SelfApproval") == true)
            #expect(!summary.grants.isEmpty && summary.credentialSecretName == nil)
            #expect(summary.secondsLeft.map { $0 > 0 && $0 <= 300 } == true, "approved for 5m")

            let released = try await cli.run(
                ["revoke", name, "--comment", "done", "-n", fixture.namespace], as: "alice")
            #expect(released.code == 0, "\(released)")
            try await fixture.waitFor(name, .revoked)
            let ended = try await cli.run(["wait", name, "-n", fixture.namespace, "-o", "json"], as: "alice")
            #expect(ended.code == 6, "\(ended)")
            #expect(try ended.json()["reason"] as? String == "Released")
            let nothingPending = try await cli.run(["list", "--pending", "-n", fixture.namespace], as: "bob")
            #expect(nothingPending.stdout == "No ActionRequests found.\n", "\(nothingPending)")
        }
    }

    @Test func badInputGivesOneLineExitsTwoAndCreatesNothing() async throws {
        try await Self.with("cli-bad") { fixture, cli in
            let base = ["request", "--for", "5m", "--reason", "r", "-n", fixture.namespace]
            let cases: [([String], String)] = [
                (["--allow", "delete pods/db-0"], "pods are namespaced: add -n NAMESPACE inside the quotes"),
                (["--allow", "delete pods/db-0", "-n", "prod"], "pods are namespaced"),
                (["--allow", "remove pods/db-0 -n prod"], "unknown verb \"remove\""),
                (["--allow", "get * -n prod"], "wildcards are never granted"),
                (["--allow", "patch deployments/web -n prod"], "write deployments.apps"),
                (["--allow", "create pods/db-0 -n prod"], "create cannot be limited to one object"),
                (["--role", "ClusterRole/view"], "say where to bind it"),
                (
                    ["--allow", "get pods -n prod", "--credential", "Subject", "--kubeconfig-out", "/tmp/x"],
                    "there is no separate credential"
                ),
                (["--allow", "get pods -n prod", "--credential", "Maybe"], "--credential is Ephemeral or Subject"),
                ([], "say what to allow"),
            ]
            for (arguments, expected) in cases {
                let result = try await cli.run(base + arguments, as: "alice")
                #expect(result.code == 2, "\(arguments): \(result)")
                #expect(result.stdout.isEmpty, "\(arguments): \(result)")
                let lines = result.stderr.split(separator: "\n")
                #expect(lines.count == 1 && lines.first?.hasPrefix("error: ") == true, "\(arguments): \(result)")
                #expect(result.stderr.contains(expected), "\(arguments): \(result)")
            }
            let missing = try await cli.run(
                ["request", "--allow", "get pods -n prod", "--for", "5m", "-n", fixture.namespace], as: "alice")
            #expect(missing.code == 2 && missing.stderr.split(separator: "\n").count == 1, "\(missing)")
            #expect(missing.stderr.contains("--reason"))
            let badDuration = try await cli.run(
                base.map { $0 == "5m" ? "soon" : $0 } + ["--allow", "get nodes"], as: "alice")
            #expect(
                badDuration.code == 2 && badDuration.stderr.contains("--for soon: not a duration"), "\(badDuration)")
            #expect(try await Self.liveRequests(fixture).isEmpty)

            // API errors are 8, in one line: dave may not list in the namespace it has no role in.
            let forbidden = try await cli.run(["list", "-n", fixture.target], as: "dave")
            #expect(forbidden.code == 8, "\(forbidden)")
            #expect(forbidden.stderr.split(separator: "\n").count == 1 && forbidden.stderr.contains("403"))
        }
    }

    @Test func whoamiAndTheKubectlPlugin() async throws {
        try await Self.with("cli-whoami") { fixture, cli in
            let whoami = try await cli.run(["whoami", "-n", fixture.namespace, "-o", "json"], as: "alice")
            #expect(whoami.code == 0, "\(whoami)")
            let identity = try whoami.json()
            #expect(identity["username"] as? String == "alice" && identity["canRequest"] as? Bool == true)
            #expect((identity["groups"] as? [String])?.contains("dev") == true)
            #expect(identity["stampedByAirlock"] as? Bool == true)
            #expect(try await Self.liveRequests(fixture).isEmpty)

            // Installed as `kubectl-airlock`, the binary names itself `kubectl airlock`.
            let plugin = cli.directory.appendingPathComponent("kubectl-airlock").path
            try FileManager.default.createSymbolicLink(atPath: plugin, withDestinationPath: CLIRunner.binary)
            let help = try await cli.start(["--help"], as: nil, executable: plugin).result()
            #expect(help.code == 0 && help.stdout.contains("USAGE: kubectl airlock <subcommand>"), "\(help)")
            let list = try await cli.start(
                ["list", "-n", fixture.namespace, "--kubeconfig", cli.kubeconfig, "--context", "bob"], as: nil,
                executable: plugin
            ).result()
            #expect(list.code == 0 && list.stdout == "No ActionRequests found.\n", "\(list)")
        }
    }
}
