import AirlockAPI
import AirlockCLI
import Foundation
import KubeClient
import KubeCore
import Synchronization

/// The MCP tools' behaviour, as the requesting identity (the user's kubeconfig or the agent's
/// ServiceAccount). Inputs are validated with one clear message; results are JSON (text and
/// structured content); no token is ever returned.
final class MCPTools: Sendable {
    let client: KubernetesClient
    let defaultNamespace: String
    private let identity = Mutex<String?>(nil)

    init(client: KubernetesClient, defaultNamespace: String) {
        self.client = client
        self.defaultNamespace = defaultNamespace
    }

    /// Runs one tool call; failures come back as `isError` results, never as a dead server.
    func call(_ name: String, _ arguments: [String: JSONValue]) async -> MCPToolResult {
        do {
            let input = ToolInput(tool: name, arguments: arguments)
            let value: any Encodable
            switch name {
            case "request_access": value = try await requestAccess(input)
            case "wait_for_decision": value = try await waitForDecision(input)
            case "get_request": value = try await getRequest(input)
            case "list_my_requests": value = try await listMyRequests(input)
            case "release_access": value = try await releaseAccess(input)
            default:
                throw CLIUsageError(
                    "unknown tool \(name); the tools are "
                        + MCPToolDefinitions.tools.map(\.name).joined(separator: ", "))
            }
            return try Self.result(value)
        } catch let error as CLIUsageError {
            return Self.failure("invalid input: \(error.message)")
        } catch let error as CLIFailure {
            return Self.failure(error.message)
        } catch let error as KubernetesError {
            return Self.failure(CLIFailure.api(error, doing: name).message)
        } catch {
            return Self.failure("\(name) failed: \(error)")
        }
    }

    // MARK: Tools

    /// What request_access answers.
    struct Created: Codable {
        var name: String
        var namespace: String
        var phase: String
        /// `auto-approved`, `awaiting-approval`, `denied`, `granted`, or `not-evaluated`.
        var state: String
        var approvalsRequired: Int?
        var reviewers: String?
        var reason: String?
        var message: String
        var next: String
    }

    func requestAccess(_ input: ToolInput) async throws -> Created {
        try input.only(["allow", "role", "duration", "reason", "ticket", "credential", "namespace"])
        let allow = try input.strings("allow") ?? []
        let role = try input.string("role")
        guard !allow.isEmpty || role != nil else {
            throw CLIUsageError(
                "give allow (e.g. [\"delete pods/db-0 -n prod\"]) or role (e.g. \"ClusterRole/view -n prod\")")
        }
        let permissions = try AllowGrammar.parse(allow)
        let roleRef = try role.map { text throws(CLIUsageError) in try RoleArgument.parse(text) }
        let durationText = try input.required("duration")
        guard let duration = try? KubeDuration(parsing: durationText), duration.seconds > 0 else {
            throw CLIUsageError("duration \"\(durationText)\" is not a duration; write e.g. 15m, 1h")
        }
        let reason = try input.required("reason")
        let credential: CredentialMode?
        switch try input.string("credential") {
        case nil: credential = nil
        case let text?:
            guard let mode = CredentialMode.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() })
            else { throw CLIUsageError("credential is Ephemeral or Subject, not \(text)") }
            credential = mode
        }
        let namespace = try input.string("namespace") ?? defaultNamespace
        let spec = ActionRequestSpec(
            reason: reason, ticket: try input.string("ticket"), duration: duration,
            permissions: permissions.isEmpty ? nil : permissions, roleRef: roleRef, credential: credential)
        var request = ActionRequest(metadata: ObjectMeta(namespace: namespace), spec: spec)
        request.metadata.generateName = RequestNames.generateName(spec)
        let created = try await api("create actionrequest in \(namespace)") { try await client.create(request) }
        let seen = try await RequestWatch.firstEvaluation(client: client, request: created, timeout: .seconds(10))
        let summary = RequestSummary(seen, now: Date())
        let next = "call wait_for_decision with name \(summary.name)"
        var answer = Created(
            name: summary.name, namespace: namespace, phase: summary.phase, state: "not-evaluated",
            approvalsRequired: summary.approvals.required, reviewers: summary.decision?.reviewers,
            reason: summary.outcome?.reason ?? summary.decision?.reason,
            message: "Airlock has not evaluated the request yet (is its controller running?)", next: next)
        if let outcome = summary.outcome {
            answer.state = outcome.granted ? "granted" : outcome.phase.lowercased()
            answer.message = outcome.message
            answer.next = outcome.granted ? next + " to get the credential" : "you do not have this access"
        } else if summary.decision?.outcome == DecisionOutcome.autoApprove.rawValue {
            answer.state = "auto-approved"
            answer.message = "auto-approved by policy; access is being granted"
        } else if let decision = summary.decision {
            answer.state = "awaiting-approval"
            answer.message =
                "waits for \(summary.approvals.required ?? 1) approval(s)"
                + (decision.reviewers.map { " from \($0)" } ?? "") + (decision.message.map { ": \($0)" } ?? "")
        }
        return answer
    }

    func waitForDecision(_ input: ToolInput) async throws -> RequestOutcome {
        try input.only(["name", "timeout_seconds", "kubeconfig_path", "namespace"])
        let name = try input.required("name")
        let seconds = try input.integer("timeout_seconds") ?? 120
        guard (1...3600).contains(seconds) else { throw CLIUsageError("timeout_seconds must be 1 to 3600") }
        let path = try input.string("kubeconfig_path")
        if let path, !path.hasPrefix("/") {
            throw CLIUsageError("kubeconfig_path must be absolute, not \(path)")
        }
        let namespace = try input.string("namespace") ?? defaultNamespace
        var outcome = try await RequestWatch.follow(
            client: client, name: name, namespace: namespace, timeout: .seconds(seconds),
            needsCredential: path != nil)
        if outcome.granted, let path, let secret = outcome.credentialSecretName {
            try await CredentialFile.write(client: client, secretName: secret, namespace: namespace, to: path)
            outcome.kubeconfigPath = path
        }
        if outcome.granted, outcome.credentialSecretName == nil {
            outcome.message += "; credential Subject: use your own identity"
        } else if outcome.granted, outcome.kubeconfigPath == nil, let secret = outcome.credentialSecretName {
            outcome.message +=
                "; the kubeconfig is in Secret \(namespace)/\(secret), key kubeconfig (or pass kubeconfig_path)"
        }
        return outcome
    }

    func getRequest(_ input: ToolInput) async throws -> RequestSummary {
        try input.only(["name", "namespace"])
        let name = try input.required("name")
        let namespace = try input.string("namespace") ?? defaultNamespace
        let request = try await api("get actionrequest \(namespace)/\(name)") {
            try await client.get(ActionRequest.self, name: name, namespace: namespace)
        }
        return RequestSummary(request, now: Date())
    }

    func listMyRequests(_ input: ToolInput) async throws -> RequestSummaryList {
        try input.only(["include_finished", "namespace"])
        let includeFinished = try input.bool("include_finished") ?? false
        let namespace = try input.string("namespace") ?? defaultNamespace
        let me = try await username(namespace: namespace)
        let list = try await api("list actionrequests in \(namespace)") {
            try await client.listAll(ActionRequest.self, namespace: namespace)
        }
        let now = Date()
        let mine = list.items.filter { $0.spec.requester?.username == me }.map { RequestSummary($0, now: now) }
            .filter { includeFinished || $0.outcome == nil || $0.outcome?.granted == true }
        return RequestSummaryList(items: RequestSummary.sorted(mine))
    }

    func releaseAccess(_ input: ToolInput) async throws -> ReviewResult {
        try input.only(["name", "comment", "namespace"])
        let name = try input.required("name")
        let namespace = try input.string("namespace") ?? defaultNamespace
        var review = ActionReview(
            metadata: ObjectMeta(namespace: namespace),
            spec: ActionReviewSpec(
                request: name, decision: .revoke, comment: try input.string("comment") ?? "released by the agent"))
        review.metadata.generateName = "\(name.prefix(50))-"
        let created = try await api("create actionreview for \(namespace)/\(name)") { try await client.create(review) }
        let reviewName = created.metadata.name ?? ""
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        var judged = created
        while judged.status?.counted == nil, clock.now < deadline {
            try await clock.sleep(for: .milliseconds(100))
            judged = try await api("get actionreview \(namespace)/\(reviewName)") {
                try await client.get(ActionReview.self, name: reviewName, namespace: namespace)
            }
        }
        let request = try await api("get actionrequest \(namespace)/\(name)") {
            try await client.get(ActionRequest.self, name: name, namespace: namespace)
        }
        let code: AirlockExitCode =
            switch judged.status?.counted {
            case true?: .ok
            case false?: .reviewNotCounted
            case nil: .timedOut
            }
        return ReviewResult(
            review: reviewName, request: name, namespace: namespace, decision: ReviewDecision.revoke.rawValue,
            counted: judged.status?.counted, reason: judged.status?.reason,
            requestPhase: request.status?.phase?.rawValue, exitCode: code.rawValue)
    }

    /// The identity Airlock stamps for this server (asked once).
    private func username(namespace: String) async throws -> String {
        if let known = identity.withLock({ $0 }) { return known }
        let result = try await WhoamiCommand.whoami(client: client, namespace: namespace)
        identity.withLock { $0 = result.username }
        return result.username
    }

    // MARK: Results

    static func result(_ value: any Encodable) throws -> MCPToolResult {
        let text = try CLIEncoding.json(AnyEncodable(value))
        return MCPToolResult(text: text, structured: try KubeJSON.decode(JSONValue.self, from: Data(text.utf8)))
    }

    static func failure(_ message: String) -> MCPToolResult {
        MCPToolResult(text: message, isError: true)
    }
}

private struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
