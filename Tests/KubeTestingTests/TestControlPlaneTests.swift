import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Testing

@Suite struct EventuallyTests {
    @Test func returnsOnceTheConditionHolds() async throws {
        var calls = 0
        // A generous timeout: on a loaded machine the pool may not run this task for seconds.
        try await eventually(timeout: .seconds(60), interval: .milliseconds(1)) {
            calls += 1
            return calls == 3
        }
        #expect(calls == 3)
    }

    @Test func timesOutWithTheDescription() async throws {
        let error = await #expect(throws: KubeTestingError.self) {
            try await eventually("the impossible", timeout: .milliseconds(50), interval: .milliseconds(10)) { false }
        }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("the impossible") == true)
    }

    @Test func rethrowsTheConditionsError() async throws {
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await eventually(timeout: .seconds(5)) { throw Boom() }
        }
    }
}

@Suite struct TestControlPlaneTests {
    @Test func missingBinariesSayHowToGetThem() async throws {
        let configuration = TestControlPlane.Configuration(assetsDirectory: "/nonexistent/assets")
        let error = await #expect(throws: KubeTestingError.self) {
            _ = try await TestControlPlane.start(configuration)
        }
        #expect(error?.kind == .missingBinaries)
        #expect(error?.message.contains("hack/kube-assets.sh") == true)
    }

    @Test func aServerThatExitsFailsTheStartWithTheEndOfItsLog() async throws {
        let configuration = TestControlPlane.Configuration(users: [], extraAPIServerFlags: ["--no-such-flag"])
        let error = await #expect(throws: KubeTestingError.self) {
            _ = try await TestControlPlane.start(configuration)
        }
        #expect(error?.kind == .startFailed)
        #expect(error?.message.contains("kube-apiserver exited") == true, "\(String(describing: error))")
        #expect(error?.message.contains("unknown flag: --no-such-flag") == true, "\(String(describing: error))")
    }

    @Test func sharedInstanceIsStartedOnce() async throws {
        async let first = TestControlPlane.shared()
        async let second = TestControlPlane.shared()
        let (a, b) = try await (first, second)
        #expect(a === b)
    }

    @Test func tokenUsersAuthenticateWithTheirGroups() async throws {
        let controlPlane = try await TestControlPlane.shared()
        let admin = controlPlane.adminClient
        for (user, groups) in [("alice", ["dev"]), ("bob", ["reviewers"]), ("dave", [])] {
            let review = try await admin.create(TokenReview(token: try controlPlane.token(for: user)))
            #expect(review.status?.authenticated == true)
            #expect(review.status?.user?.username == user)
            #expect(Set(review.status?.user?.groups ?? []) == Set(groups + ["system:authenticated"]))
        }
        #expect(throws: KubeTestingError.self) { try controlPlane.client(as: "mallory") }
    }

    @Test func kubeconfigNamesTheServerAndEveryUser() async throws {
        let controlPlane = try await TestControlPlane.shared()
        let text = try String(contentsOfFile: controlPlane.kubeconfigPath, encoding: .utf8)
        #expect(text.contains(controlPlane.server.absoluteString))
        for user in controlPlane.users { #expect(text.contains("name: \"\(user.name)\"")) }
        // The admin's context is current; the CA makes TLS verify.
        let configuration = try ClientConfiguration.kubeconfig(path: controlPlane.kubeconfigPath)
        let client = try KubernetesClient(configuration: configuration)
        do {
            #expect(try await client.get(Namespace.self, name: "default").metadata.name == "default")
        } catch {
            Issue.record("GET as the kubeconfig's admin failed: \(error)")
        }
        try await client.shutdown()
        let alice = try ClientConfiguration.kubeconfig(path: controlPlane.kubeconfigPath, context: "alice")
        guard case .token(let token) = alice.credentials else {
            Issue.record("alice's context has no token")
            return
        }
        #expect(token == (try controlPlane.token(for: "alice")))
    }

    @Test func namespacesAreUnique() async throws {
        let controlPlane = try await TestControlPlane.shared()
        let first = try await controlPlane.makeNamespace(prefix: "Unique_Test")
        let second = try await controlPlane.makeNamespace(prefix: "Unique_Test")
        #expect(first != second)
        #expect(first.hasPrefix("uniquetest-"))
        _ = try await controlPlane.adminClient.get(Namespace.self, name: first)
    }

    /// A private control plane: restarting the shared one would break other tests' watches.
    @Test func restartKeepsDataAndStopRemovesEverything() async throws {
        let controlPlane = try await TestControlPlane.start(.init(users: []))
        let admin = controlPlane.adminClient
        let namespace = try await controlPlane.makeNamespace(prefix: "restart")
        try await controlPlane.restartAPIServer()
        _ = try await admin.get(Namespace.self, name: namespace)

        let directory = controlPlane.directory
        await controlPlane.stop()
        #expect(!FileManager.default.fileExists(atPath: directory.path))
        #expect(throws: KubeTestingError.self) { try controlPlane.client(as: "admin") }
    }
}

@Suite struct APIServerCollectionsTests {
    @Test func aTracingControlPlaneReadsTheAPIServersCollections() async throws {
        let started = Date()
        let controlPlane = try await TestControlPlane.start(.init(users: [], traceAPIServerCollections: true))
        let collections = controlPlane.apiServerCollections()
        await controlPlane.stop()
        // The API server collects as it starts; the times are placed by its start in /proc.
        let first = try #require(collections.first)
        #expect(first.number == 1)
        #expect(first.start >= started.addingTimeInterval(-1) && first.start <= Date())
        #expect(collections.map(\.number) == Array(1...collections.count))
    }

    @Test func anUntracedControlPlaneHasNone() async throws {
        #expect(try await TestControlPlane.shared().apiServerCollections().isEmpty)
    }
}
