import AirlockAPI
import AirlockAdmission
import AirlockIdentity
import Foundation
import KubeClient
import KubeCore
import KubeTesting
import Logging
import Testing
import X509

extension Tag {
    /// Tests that also print measurements (they assert behaviour, never timing).
    @Tag static var measurement: Self
}

/// Airlock's admission webhook, served in process on 127.0.0.1 and called by the real API
/// server. Each test registers its own configurations, scoped by a namespace label to its
/// own namespaces (the control plane is shared by every test in the process), and deletes
/// them at the end.
@Suite struct AdmissionTests {
    @Test func aForgedRequesterIsReplacedByTheRealSignedIdentity() async throws {
        try await WebhookFixture.with { fixture in
            let alice = try fixture.client("alice")
            var request = fixture.actionRequest(name: nil)
            request.metadata.generateName = "restart-"
            request.spec.requester = Identity(
                username: "bob", uid: "u-bob", groups: ["system:masters"], signature: "v1:1:AAAA")
            let created = try await alice.create(request)
            let name = try #require(created.metadata.name)
            #expect(name.hasPrefix("restart-") && name.count == "restart-".count + 5)
            let requester = try #require(created.spec.requester)
            #expect(requester.username == "alice")
            #expect(Set(requester.groups ?? []) == ["dev", "system:authenticated"])
            #expect(requester.signature != "v1:1:AAAA")
            #expect(fixture.signer.verify(created) == .verified)
            // The revoke finalizer is set at creation: grants can never outlive the request.
            #expect(created.metadata.finalizers == ["airlock.dev/revoke-grants"])
            // As the controller reads it back.
            let stored = try await fixture.admin.get(ActionRequest.self, name: name, namespace: fixture.namespace)
            #expect(fixture.signer.verify(stored) == .verified)
        }
    }

    @Test func specUpdatesAreRejectedAndMetadataUpdatesPass() async throws {
        try await WebhookFixture.with { fixture in
            let alice = try fixture.client("alice")
            let created = try await alice.create(fixture.actionRequest(name: "immutable"))

            var changed = created
            changed.spec.reason = "and drop the database too"
            let error = await #expect(throws: KubernetesError.self) { _ = try await alice.update(changed) }
            #expect(error?.isInvalid == true)
            #expect(
                error?.message.contains(
                    "spec is immutable after creation (changed: spec.reason); create a new ActionRequest instead")
                    == true, "\(String(describing: error))")

            var labelled = created
            labelled.metadata.labels = ["team": "db"]
            labelled.metadata.finalizers = [AirlockConstants.revokeGrantsFinalizer]
            let updated = try await alice.update(labelled)
            #expect(updated.metadata.labels?["team"] == "db")
            #expect(fixture.signer.verify(updated) == .verified)

            // Status writes go through the status subresource, which the webhook does not see.
            var status = updated
            status.status = ActionRequestStatus(phase: .pending)
            _ = try await fixture.admin.updateStatus(status)
        }
    }

    @Test func aReviewByAPlainUserGetsThatUserAsReviewer() async throws {
        try await WebhookFixture.with { fixture in
            let request = try await fixture.client("alice").create(fixture.actionRequest(name: "to-review"))
            let bob = try fixture.client("bob")
            let review = ActionReview(
                metadata: ObjectMeta(name: "bob-approves", namespace: fixture.namespace),
                spec: ActionReviewSpec(
                    request: request.metadata.name!, decision: .approve, comment: "ok",
                    reviewer: Identity(username: "alice")))
            let created = try await bob.create(review)
            #expect(created.spec.reviewer?.username == "bob")
            #expect(Set(created.spec.reviewer?.groups ?? []) == ["reviewers", "system:authenticated"])
            #expect(fixture.signer.verify(created) == .verified)

            var dangling = review
            dangling.metadata.name = "bob-approves-nothing"
            dangling.spec.request = "no-such-request"
            let error = await #expect(throws: KubernetesError.self) { _ = try await bob.create(dangling) }
            #expect(
                error?.message.contains(
                    "spec.request: ActionRequest \"no-such-request\" not found in namespace \"\(fixture.namespace)\"")
                    == true, "\(String(describing: error))")
        }
    }

    @Test func onBehalfOfIsAcceptedOnlyFromTheController() async throws {
        try await WebhookFixture.with { fixture in
            let request = try await fixture.client("alice").create(fixture.actionRequest(name: "chat-reviewed"))
            let onBehalfOf = OnBehalfOf(
                username: "carol", channel: AirlockConstants.Channel.slack, externalUser: "U123")
            let review = ActionReview(
                metadata: ObjectMeta(name: "from-slack", namespace: fixture.namespace),
                spec: ActionReviewSpec(request: request.metadata.name!, decision: .approve, onBehalfOf: onBehalfOf))

            let error = await #expect(throws: KubernetesError.self) {
                _ = try await fixture.client("bob").create(review)
            }
            #expect(error?.isForbidden == true)
            #expect(
                error?.message.contains(
                    "spec.onBehalfOf may be set only by the Airlock controller (controller), not by bob")
                    == true, "\(String(describing: error))")

            let created = try await fixture.client("controller").create(review)
            #expect(created.spec.reviewer?.username == "controller")
            #expect(created.spec.onBehalfOf == onBehalfOf)
            #expect(fixture.signer.verify(created) == .verified)
        }
    }

    @Test func objectsWrittenWhileTheWebhookIsUnregisteredAreNotTrusted() async throws {
        try await WebhookFixture.with { fixture in
            let signed = try await fixture.client("alice").create(fixture.actionRequest(name: "original"))
            #expect(fixture.signer.verify(signed) == .verified)

            try await fixture.unregister()
            // Once the API server stops calling the webhook, a spec change goes through.
            let tampered = try await eventuallyValue("the webhook to be unregistered", timeout: .seconds(20)) {
                () async throws -> ActionRequest? in
                var changed = try await fixture.admin.get(
                    ActionRequest.self, name: "original", namespace: fixture.namespace)
                changed.spec.permissions?[0].verbs = ["delete", "create", "patch"]
                do {
                    return try await fixture.admin.update(changed)
                } catch let error as KubernetesError where error.isInvalid {
                    return nil
                }
            }
            #expect(fixture.signer.verify(tampered) == .mismatch)

            // The signed identity copied onto another object.
            var copy = fixture.actionRequest(name: "copy")
            copy.spec.requester = signed.spec.requester
            #expect(fixture.signer.verify(try await fixture.admin.create(copy)) == .mismatch)

            // A forged identity without a signature, and one with a made-up signature.
            var forged = fixture.actionRequest(name: "forged")
            forged.spec.requester = Identity(username: "alice", groups: ["dev"])
            #expect(fixture.signer.verify(try await fixture.admin.create(forged)) == .missingSignature)
            forged.metadata.name = "forged-signature"
            forged.spec.requester?.signature =
                "v1:\(Int(Date().timeIntervalSince1970)):"
                + Data(repeating: 1, count: 32).base64EncodedString()
            #expect(fixture.signer.verify(try await fixture.admin.create(forged)) == .mismatch)
        }
    }

    @Test func theBootstrappedCAIsInEveryConfigurationAndTheSecret() async throws {
        try await WebhookFixture.with { fixture in
            let secret = try await fixture.admin.get(
                Secret.self, name: WebhookCertificateManager.defaultSecretName, namespace: fixture.namespace)
            let material = try WebhookTLSMaterial(secret: secret)
            for key in ["ca.crt", "tls.crt", "tls.key"] { #expect(secret.data?[key]?.isEmpty == false, "\(key)") }
            #expect(fixture.store.certificatePEM == material.servingCertificatePEM)
            let serving = try Certificate(pemEncoded: material.servingCertificatePEM)
            let names = try #require(try serving.extensions.subjectAlternativeNames)
            #expect(names.contains(.ipAddress(.init(contentBytes: [127, 0, 0, 1]))))
            #expect(names.contains(.dnsName("airlock-webhook.\(fixture.namespace).svc")))

            let mutating = try await fixture.admin.get(
                MutatingWebhookConfiguration.self, name: fixture.configurationName)
            let validating = try await fixture.admin.get(
                ValidatingWebhookConfiguration.self, name: fixture.configurationName)
            let bundles =
                (mutating.webhooks ?? []).map(\.clientConfig.caBundle)
                + (validating.webhooks ?? []).map(\.clientConfig.caBundle)
            #expect(bundles.count == 2)
            for bundle in bundles {
                let pem = try #require(
                    bundle.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) })
                #expect(pem.contains(material.caCertificatePEM))
            }
        }
    }

    @Test func renewedCertificatesAndARotatedCAKeepTheAPIServerCalling() async throws {
        try await WebhookFixture.with { fixture in
            let before = try await fixture.readMaterial()
            // Another replica whose policy says everything is due: its check makes a next
            // CA (into every bundle) and reissues the serving certificate from the current CA.
            var configuration = fixture.manager.configuration
            configuration.policy.renewalFraction = 1
            let rotator = WebhookCertificateManager(
                client: fixture.admin, configuration: configuration, logger: fixture.logger)
            // Checks at pinned times: the 2 s promotion delay must not pass between them
            // however slow the machine is.
            let start = Date()
            let step1 = try await rotator.check(at: start)
            #expect(step1.caCertificatePEM == before.caCertificatePEM)
            let nextCA = try #require(step1.nextCACertificatePEM)
            #expect(step1.servingCertificatePEM != before.servingCertificatePEM)

            // The serving replica picks the renewed certificate up at its next check.
            try await fixture.manager.check(at: start)
            #expect(fixture.store.certificatePEM == step1.servingCertificatePEM)
            try await fixture.expectBundle(contains: [before.caCertificatePEM, nextCA])
            try await fixture.expectStamped("after-renewal")

            // Once the promotion delay has passed, a check (here the serving replica's) lets
            // the next CA take over; the old CA stays trusted.
            let step2 = try await fixture.manager.check(at: start.addingTimeInterval(3))
            #expect(step2.caCertificatePEM == nextCA)
            #expect(step2.previousCACertificatePEMs == [before.caCertificatePEM])
            #expect(fixture.store.certificatePEM == step2.servingCertificatePEM)
            try await fixture.expectBundle(contains: [before.caCertificatePEM, nextCA])
            try await fixture.expectStamped("after-ca-rotation")
        }
    }

    @Test func thePeriodicCheckRepairsAClearedBundle() async throws {
        try await WebhookFixture.with { fixture in
            // A re-applied manifest (caBundle empty) wipes the bundle out...
            _ = try await fixture.admin.patch(
                MutatingWebhookConfiguration.self, name: fixture.configurationName,
                patch: .json([.remove("/webhooks/0/clientConfig/caBundle")]))
            // ...and the manager's periodic check (every 100 ms here) writes it back.
            var configuration = fixture.manager.configuration
            configuration.checkInterval = .milliseconds(100)
            let manager = WebhookCertificateManager(
                client: fixture.admin, configuration: configuration, logger: fixture.logger)
            let running = Task { try await manager.run() }
            defer { running.cancel() }
            let material = try await fixture.readMaterial()
            try await eventually("the bundle to be written back", timeout: .seconds(10)) {
                let mutating = try await fixture.admin.get(
                    MutatingWebhookConfiguration.self, name: fixture.configurationName)
                return mutating.webhooks?.first?.clientConfig.caBundle == material.caBundleBase64()
            }
            running.cancel()
            _ = await running.result

            // A configuration that does not exist (yet) is not an error.
            configuration.mutatingConfigurationName = "airlock-webhook-absent-\(fixture.id)"
            let absent = WebhookCertificateManager(
                client: fixture.admin, configuration: configuration, logger: fixture.logger)
            #expect(try await absent.check().caCertificatePEM == material.caCertificatePEM)
        }
    }

    @Test func theSigningKeyIsCreatedOnceEvenUnderARace() async throws {
        let controlPlane = try await TestControlPlane.shared()
        let namespace = try await controlPlane.makeNamespace(prefix: "signing-key")
        let admin = try controlPlane.adminClient
        let signers = try await withThrowingTaskGroup(of: IdentitySigner.self) { group in
            for _ in 0..<4 {
                group.addTask { try await SigningKeySecret.loadOrCreate(client: admin, namespace: namespace) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let request = signers[0].stamp(
            ActionRequest(
                metadata: ObjectMeta(name: "r", namespace: namespace),
                spec: ActionRequestSpec(reason: "x", duration: KubeDuration(seconds: 60))),
            requester: Identity(username: "alice"))
        for signer in signers { #expect(signer.verify(request) == .verified) }
    }

    /// Prints p50/p99 of ActionRequest creates with and without the webhooks; asserts nothing
    /// about timing. Run alone for stable figures:
    /// `swift test --filter "AdmissionTests/measureCreateLatencyWithAndWithoutTheWebhook"`.
    @Test(.tags(.measurement)) func measureCreateLatencyWithAndWithoutTheWebhook() async throws {
        try await WebhookFixture.with { fixture in
            let plain = try await fixture.makeNamespace(webhook: false)
            let alice = try fixture.client("alice")
            let clock = ContinuousClock()
            var with: [Duration] = []
            var without: [Duration] = []
            let count = 200
            for index in 0..<(count + 10) {
                for (namespace, isWebhook) in [(fixture.namespace, true), (plain, false)] {
                    var request = fixture.actionRequest(name: "m-\(index)")
                    request.metadata.namespace = namespace
                    let started = clock.now
                    let created = try await alice.create(request)
                    let elapsed = clock.now - started
                    // Under load too, every create through the webhook is stamped and signed.
                    if isWebhook {
                        #expect(fixture.signer.verify(created) == .verified)
                    } else {
                        #expect(created.spec.requester == nil)
                    }
                    guard index >= 10 else { continue }  // warm-up
                    if isWebhook { with.append(elapsed) } else { without.append(elapsed) }
                }
            }
            func percentile(_ values: [Duration], _ p: Double) -> String {
                let sorted = values.sorted()
                let value = sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
                return String(
                    format: "%.2f ms",
                    Double(value.components.attoseconds) / 1e15 + Double(value.components.seconds) * 1000)
            }
            print(
                "[measurement] ActionRequest create, \(count) each, sequential, as alice:"
                    + " with webhooks p50 \(percentile(with, 0.5)) p99 \(percentile(with, 0.99));"
                    + " without p50 \(percentile(without, 0.5)) p99 \(percentile(without, 0.99))")
            #expect(with.count == count && without.count == count)
        }
    }
}

/// The webhook server in process, its certificates bootstrapped into a Secret of the test's
/// namespace, and Mutating/ValidatingWebhookConfigurations with `url:` client configs scoped
/// to namespaces labelled `airlock.dev/webhook-test=<id>`.
final class WebhookFixture: Sendable {
    static let label = "airlock.dev/webhook-test"

    let controlPlane: TestControlPlane
    let admin: KubernetesClient
    let id: String
    /// The test's namespace (labelled, so the webhooks apply); also where the Secrets live.
    let namespace: String
    let configurationName: String
    let signer: IdentitySigner
    let manager: WebhookCertificateManager
    let store: ServingCertificateStore
    let logger: Logger
    private let server: Task<Void, any Error>

    private init(
        controlPlane: TestControlPlane, admin: KubernetesClient, id: String, namespace: String, signer: IdentitySigner,
        manager: WebhookCertificateManager, store: ServingCertificateStore, logger: Logger,
        server: Task<Void, any Error>
    ) {
        self.controlPlane = controlPlane
        self.admin = admin
        self.id = id
        self.namespace = namespace
        self.configurationName = "airlock-webhook-test-\(id)"
        self.signer = signer
        self.manager = manager
        self.store = store
        self.logger = logger
        self.server = server
    }

    /// Runs `body` with a registered, active webhook; always unregisters and stops it.
    static func with(_ body: (WebhookFixture) async throws -> Void) async throws {
        let fixture = try await start()
        do {
            try await body(fixture)
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }

    static func start() async throws -> WebhookFixture {
        let controlPlane = try await TestControlPlane.shared()
        let admin = try controlPlane.adminClient
        let id = String((0..<8).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
        var logger = Logger(label: "test.admission.\(id)")
        logger.logLevel = .critical
        let namespace = try await makeNamespace(admin: admin, name: "admission-\(id)", id: id, webhook: true)

        let signer = try await SigningKeySecret.loadOrCreate(client: admin, namespace: namespace)
        let configurationName = "airlock-webhook-test-\(id)"
        var policy = WebhookTLSPolicy.service(namespace: namespace, ipAddresses: ["127.0.0.1"])
        policy.caPromotionDelay = .seconds(2)
        let manager = WebhookCertificateManager(
            client: admin,
            configuration: .init(
                namespace: namespace, mutatingConfigurationName: configurationName,
                validatingConfigurationName: configurationName,
                policy: policy),
            logger: logger)
        let store = try await manager.bootstrap()

        let handler = AdmissionHandler(
            signer: signer, controllerUsername: "controller",
            lookUpRequest: AdmissionHandler.kubernetesLookup(client: admin))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try AdmissionWebhookServer.application(
            handler: handler, certificates: store, host: "127.0.0.1", port: 0, logger: logger,
            onListening: { continuation.yield($0) })
        let server = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            server.cancel()
            throw KubeTestingError(.startFailed, "the webhook server did not start")
        }
        let fixture = WebhookFixture(
            controlPlane: controlPlane, admin: admin, id: id, namespace: namespace, signer: signer, manager: manager,
            store: store, logger: logger, server: server)
        do {
            try await fixture.register(port: port)
            try await fixture.waitUntilActive()
        } catch {
            await fixture.stop()
            throw error
        }
        return fixture
    }

    /// Registers the configurations without a CA bundle and lets the certificate manager
    /// write it, as in a real installation.
    private func register(port: Int) async throws {
        let selector: JSONValue = ["matchLabels": [.init(stringLiteral: Self.label): .string(id)]]
        let endpoint = WebhookConfigurations.Endpoint.url("https://127.0.0.1:\(port)")
        _ = try await admin.create(
            WebhookConfigurations.mutating(name: configurationName, endpoint: endpoint, namespaceSelector: selector))
        _ = try await admin.create(
            WebhookConfigurations.validating(name: configurationName, endpoint: endpoint, namespaceSelector: selector))
        try await manager.check()
    }

    /// Waits until the API server calls both webhooks for this namespace.
    private func waitUntilActive() async throws {
        let alice = try client("alice")
        try await eventually("the webhooks to be called", timeout: .seconds(20), interval: .milliseconds(200)) {
            var probe = self.actionRequest(name: nil)
            probe.metadata.generateName = "probe-"
            probe.spec.requester = Identity(username: "nobody")
            let created: ActionRequest
            do {
                created = try await alice.create(probe)
            } catch let error as KubernetesError where error.code == 500 {
                return false  // the bundle is not in place yet
            }
            guard created.spec.requester?.username == "alice" else { return false }
            var changed = created
            changed.spec.reason = "changed"
            do {
                _ = try await alice.update(changed)
                return false
            } catch let error as KubernetesError where error.isInvalid {
                return true
            }
        }
    }

    /// Deletes the configurations (idempotent).
    func unregister() async throws {
        for delete in [
            { try await self.admin.delete(MutatingWebhookConfiguration.self, name: self.configurationName) },
            { try await self.admin.delete(ValidatingWebhookConfiguration.self, name: self.configurationName) },
        ] as [() async throws -> Void] {
            do {
                try await delete()
            } catch let error as KubernetesError where error.isNotFound {
            }
        }
    }

    func stop() async {
        do {
            try await unregister()
        } catch {
            Issue.record("could not delete the webhook configurations \(configurationName): \(error)")
        }
        server.cancel()
        _ = await server.result
    }

    // MARK: Helpers

    func client(_ user: String) throws -> KubernetesClient { try controlPlane.client(as: user) }

    /// A namespace where alice, bob, carol, dave and controller may work with Airlock's
    /// resources; labelled for the webhooks when `webhook` is true.
    func makeNamespace(webhook: Bool) async throws -> String {
        try await Self.makeNamespace(
            admin: admin, name: "admission-\(id)-\(webhook ? "hooked" : "plain")", id: id, webhook: webhook)
    }

    private static func makeNamespace(
        admin: KubernetesClient, name: String, id: String, webhook: Bool
    ) async throws
        -> String
    {
        var labels = ["airlock.dev/test": "true"]
        if webhook { labels[label] = id }
        _ = try await admin.create(Namespace(name: name, labels: labels))
        _ = try await admin.create(
            Role(
                metadata: ObjectMeta(name: "airlock-user", namespace: name),
                rules: [
                    PolicyRule(
                        apiGroups: [AirlockConstants.group], resources: ["actionrequests", "actionreviews"],
                        verbs: ["get", "list", "watch", "create", "update", "patch", "delete"])
                ]))
        _ = try await admin.create(
            RoleBinding(
                metadata: ObjectMeta(name: "airlock-user", namespace: name),
                subjects: ["alice", "bob", "carol", "dave", "controller"].map(RBACSubject.user),
                roleRef: RoleRef(kind: "Role", name: "airlock-user")))
        return name
    }

    func actionRequest(name: String?) -> ActionRequest {
        ActionRequest(
            metadata: ObjectMeta(name: name, namespace: namespace),
            spec: ActionRequestSpec(
                reason: "db-0 is wedged; delete it so it restarts", duration: KubeDuration(seconds: 900),
                permissions: [
                    PermissionRule(
                        namespace: "prod", apiGroups: [""], resources: ["pods"], verbs: ["delete"],
                        resourceNames: ["db-0"])
                ]))
    }

    func readMaterial() async throws -> WebhookTLSMaterial {
        try WebhookTLSMaterial(
            secret: try await admin.get(Secret.self, name: manager.configuration.secretName, namespace: namespace))
    }

    /// Checks that both configurations' bundles hold every CA in `pems`.
    func expectBundle(contains pems: [String]) async throws {
        let mutating = try await admin.get(MutatingWebhookConfiguration.self, name: configurationName)
        let validating = try await admin.get(ValidatingWebhookConfiguration.self, name: configurationName)
        let bundles = [
            mutating.webhooks?.first?.clientConfig.caBundle, validating.webhooks?.first?.clientConfig.caBundle,
        ]
        for bundle in bundles {
            let text = try #require(
                bundle.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) })
            for pem in pems { #expect(text.contains(pem)) }
        }
    }

    /// Creates a request as alice and checks it came back stamped and signed.
    func expectStamped(_ name: String) async throws {
        let created = try await client("alice").create(actionRequest(name: name))
        #expect(created.spec.requester?.username == "alice")
        #expect(signer.verify(created) == .verified)
    }
}
