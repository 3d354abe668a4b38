import AirlockAPI
import AirlockCLI
import ArgumentParser
import Foundation
import KubeClient
import KubeCore

/// What `approve`, `deny` and `revoke` print: the review made and whether it counted.
struct ReviewResult: Codable {
    var review: String
    var request: String
    var namespace: String
    var decision: String
    /// nil when the controller had not judged it within the timeout.
    var counted: Bool?
    /// `Counted`, or why not: `<Code>: <explanation>`.
    var reason: String?
    /// The request's phase after the review was judged.
    var requestPhase: String?
    var exitCode: Int32
}

/// The arguments every review command takes.
struct ReviewArguments: ParsableArguments {
    @OptionGroup var options: CLIOptions

    @Argument(help: "Name of the ActionRequest.")
    var name: String

    @Option(name: [.long, .customLong("reason")], help: "Why (shown to the requester, kept in the audit trail).")
    var comment: String?

    @Option(help: "How long to wait for the controller's verdict on the review, e.g. 30s.")
    var timeout: String = "30s"

    /// Creates the ActionReview, waits for its verdict, prints it; exits 9 when it did not
    /// count, 7 when it was not judged in time.
    func review(_ decision: ReviewDecision, duration: String? = nil) async throws {
        let approved: KubeDuration?
        do {
            approved = try duration.map { try KubeDuration(parsing: $0) }
        } catch {
            throw CLIUsageError("--for \(duration ?? ""): not a duration; write e.g. 10m")
        }
        let limit: Duration
        do {
            limit = try KubeDuration(parsing: timeout).duration
        } catch {
            throw CLIUsageError("--timeout \(timeout): not a duration; write e.g. 30s")
        }
        let context = try CLIContext.make(options)
        try await context.run { context in
            var review = ActionReview(
                metadata: ObjectMeta(namespace: context.namespace),
                spec: ActionReviewSpec(request: name, decision: decision, duration: approved, comment: comment))
            review.metadata.generateName = "\(name.prefix(50))-"
            let created = try await api("create actionreview for \(context.namespace)/\(name)") {
                try await context.client.create(review)
            }
            let reviewName = created.metadata.name ?? ""
            let clock = ContinuousClock()
            let deadline = clock.now + limit
            var judged = created
            while judged.status?.counted == nil, clock.now < deadline {
                try await clock.sleep(for: .milliseconds(100))
                judged = try await api("get actionreview \(context.namespace)/\(reviewName)") {
                    try await context.client.get(ActionReview.self, name: reviewName, namespace: context.namespace)
                }
            }
            let request = try await api("get actionrequest \(context.namespace)/\(name)") {
                try await context.client.get(ActionRequest.self, name: name, namespace: context.namespace)
            }
            let code: AirlockExitCode =
                switch judged.status?.counted {
                case true?: .ok
                case false?: .reviewNotCounted
                case nil: .timedOut
                }
            let result = ReviewResult(
                review: reviewName, request: name, namespace: context.namespace, decision: decision.rawValue,
                counted: judged.status?.counted, reason: judged.status?.reason,
                requestPhase: request.status?.phase?.rawValue, exitCode: code.rawValue)
            try context.emit(result, text: Self.text(result, palette: context.palette))
            if code != .ok { throw ExitCode(code.rawValue) }
        }
    }

    static func text(_ result: ReviewResult, palette: Palette) -> String {
        let subject = "\(result.decision) of \(result.namespace)/\(result.request) (review \(result.review))"
        let phase = result.requestPhase.map { "; the request is \(palette.phase($0))" } ?? ""
        switch result.counted {
        case true?: return "\(subject) counted\(phase)"
        case false?: return "\(subject) did NOT count: \(result.reason ?? "no reason given")\(phase)"
        case nil: return "\(subject) created, not judged yet (is the Airlock controller running?)\(phase)"
        }
    }
}

/// `airlock approve NAME`.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a pending request (optionally for less time than asked).",
        discussion: "Exit 0 when the approval counted, 9 when it did not (the reason is printed), 7 when not judged.")

    @OptionGroup var arguments: ReviewArguments

    @Option(name: .customLong("for"), help: "Approve for a shorter duration than asked, e.g. 10m.")
    var duration: String?

    func run() async throws { try await arguments.review(.approve, duration: duration) }
}

/// `airlock deny NAME`.
struct DenyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deny", abstract: "Deny a pending request (say why with --comment).",
        discussion: "Exit 0 when the denial counted, 9 when it did not (the reason is printed), 7 when not judged.")

    @OptionGroup var arguments: ReviewArguments

    func run() async throws { try await arguments.review(.deny) }
}

/// `airlock revoke NAME`: the requester releases (or withdraws) its request; a reviewer ends
/// a grant early.
struct RevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract:
            "End access early: release your own grant (or withdraw a pending request), or revoke one as reviewer.",
        discussion: "Exit 0 when the revoke counted, 9 when it did not (the reason is printed), 7 when not judged.")

    @OptionGroup var arguments: ReviewArguments

    func run() async throws { try await arguments.review(.revoke) }
}
