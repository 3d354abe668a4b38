import AirlockAPI
import AirlockChat
import Foundation
import KubeClient
import KubeCore
import KubeTesting

/// What a chaos run asks for: one request per lifecycle, created by `alice`, each with an
/// intent that decides its policy (by target namespace) and what `bob` does with it.
enum ChaosIntent: String, Sendable, CaseIterable {
    /// Auto-approved for 4 s; ends Expired.
    case auto
    /// Approved by `bob` with an ActionReview; Expired.
    case approve
    /// Approved by `bob` clicking Approve on the Slack card (sometimes twice); Expired.
    case slackApprove
    /// Denied by `bob`.
    case deny
    /// Approved, then revoked by `bob` while granted.
    case revoke
    /// Nobody reviews it: Pending at the end, with its card posted once.
    case pending
    /// Denied by a policy.
    case policyDeny

    /// The intent of lifecycle `index`: half auto-approved, a fifth reviewed with kubectl, a
    /// tenth in Slack, the rest split.
    static func of(_ index: Int) -> ChaosIntent {
        switch index % 10 {
        case 0...4: .auto
        case 5, 8: .approve
        case 6: .slackApprove
        case 7: (index / 10) % 2 == 0 ? .deny : .revoke
        default: (index / 10) % 2 == 0 ? .pending : .policyDeny
        }
    }

    /// The phase the request must end in.
    var expectedPhase: ActionRequestPhase {
        switch self {
        case .auto, .approve, .slackApprove: .expired
        case .deny, .policyDeny: .denied
        case .revoke: .revoked
        case .pending: .pending
        }
    }

    var needsReview: Bool { ![.auto, .policyDeny].contains(self) }
}

/// Creates the requests and acts as `bob`, retrying what the API server's restarts fail.
struct ChaosWorkload: Sendable {
    let environment: ChaosEnvironment

    static func name(_ index: Int) -> String { "chaos-\(index)" }

    func request(_ index: Int) -> ActionRequest {
        let intent = ChaosIntent.of(index)
        let target: String
        switch intent {
        case .auto: target = environment.autoTarget
        case .policyDeny: target = environment.denyTarget
        default: target = environment.reviewTarget
        }
        let seconds: Int64 = intent == .auto ? 4 : intent == .revoke ? 120 : 5
        return ActionRequest(
            metadata: ObjectMeta(name: Self.name(index), namespace: environment.namespace),
            spec: ActionRequestSpec(
                reason: "chaos \(intent.rawValue)", duration: KubeDuration(seconds: seconds),
                permissions: [
                    PermissionRule(
                        namespace: target, apiGroups: [""], resources: ["configmaps"], verbs: ["get"],
                        resourceNames: ["cm-\(index)"])
                ], credential: index % 3 == 0 ? .ephemeral : .subject))
    }

    /// Creates request `index` as alice, then does what its intent says.
    func run(_ index: Int) async throws {
        let alice = try environment.plane.client(as: "alice")
        let request = try await createOnce(request(index), client: alice)
        let name = Self.name(index)
        switch ChaosIntent.of(index) {
        case .auto, .pending, .policyDeny:
            return
        case .approve:
            try await waitFor(name, "Pending") { $0.status?.phase == .pending && $0.status?.decision != nil }
            try await review(name, .approve)
        case .deny:
            try await waitFor(name, "Pending") { $0.status?.phase == .pending && $0.status?.decision != nil }
            try await review(name, .deny)
        case .revoke:
            try await waitFor(name, "Pending") { $0.status?.phase == .pending && $0.status?.decision != nil }
            try await review(name, .approve)
            try await waitFor(name, "Granted") { $0.status?.phase == .granted }
            try await review(name, .revoke)
        case .slackApprove:
            try await clickApprove(name, uid: request.metadata.uid ?? "")
        }
    }

    /// Clicks Approve on the card as `U0BOB` until a review exists (a click whose answer
    /// was lost is clicked again, as people do).
    private func clickApprove(_ name: String, uid: String) async throws {
        let slack = environment.slack
        // Without a card nobody can click: the request stays Pending, and the invariants say so.
        guard
            let card = try? await eventuallyValue(
                "the card", timeout: .seconds(120), interval: .milliseconds(200),
                {
                    slack.messages.first { $0.threadTS == nil && $0.metadata?["event_payload"]?["uid"] == .string(uid) }
                })
        else {
            let request = try await persist {
                try await environment.admin.get(ActionRequest.self, name: name, namespace: environment.namespace)
            }
            print("[chaos] no card for \(name) after 120 s: \(request.status?.notifications ?? [])")
            return
        }
        try await eventually("a review from Slack for \(name)", timeout: .seconds(120), interval: .milliseconds(100)) {
            let leader = try await persist { try await environment.leader() }
            guard let port = leader?.chatPort ?? environment.replicas.compactMap(\.chatPort).first else { return false }
            let click = try slack.blockActions(clicking: SlackActionID.approve, on: card, user: "U0BOB")
            // Under test is what the click leads to (one review), not its answer: a replica
            // killed mid-click answers nothing, and people click again.
            _ = try? await slack.post(click, to: "http://127.0.0.1:\(port)/slack/interactions")
            return try await eventuallyReviewed(name)
        }
    }

    private func eventuallyReviewed(_ name: String) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline {
            let reviews = try await persist {
                try await environment.admin.listAll(ActionReview.self, namespace: environment.namespace).items
            }
            if reviews.contains(where: { $0.spec.request == name }) { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    private func review(_ name: String, _ decision: ReviewDecision) async throws {
        let bob = try environment.plane.client(as: "bob")
        _ = try await createOnce(
            ActionReview(
                metadata: ObjectMeta(
                    name: "\(name)-bob-\(decision.rawValue.lowercased())", namespace: environment.namespace),
                spec: ActionReviewSpec(request: name, decision: decision, comment: "chaos")), client: bob)
    }

    private func waitFor(_ name: String, _ what: String, _ condition: @escaping (ActionRequest) -> Bool) async throws {
        try await eventually("\(name) \(what)", timeout: .seconds(120), interval: .milliseconds(200)) {
            condition(
                try await persist {
                    try await environment.admin.get(ActionRequest.self, name: name, namespace: environment.namespace)
                })
        }
    }

    /// Creates `object`; one created by an attempt whose answer was lost is read back.
    private func createOnce<R: KubeResource>(_ object: R, client: KubernetesClient) async throws -> R {
        try await persist {
            do {
                return try await client.create(object)
            } catch let error as KubernetesError where error.isAlreadyExists {
                return try await client.get(
                    R.self, name: object.metadata.name ?? "", namespace: object.metadata.namespace)
            }
        }
    }
}

/// Runs `body` until it succeeds, retrying for up to a minute what a restarting API server
/// fails (connection errors, 5xx, 429, 403 while its RBAC cache fills again, and 404 "page
/// not found" while it does not serve the custom resources yet).
func persist<T>(_ body: () async throws -> T) async throws -> T {
    let deadline = ContinuousClock.now + .seconds(60)
    while true {
        do {
            return try await body()
        } catch let error as KubernetesError
            where ContinuousClock.now < deadline
            && (error.kind != .api || (error.code ?? 0) >= 500 || error.isTooManyRequests || error.isForbidden
                || error.message.contains("page not found"))
        {
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
