import AirlockAPI
import AirlockCLI
import ArgumentParser
import Foundation
import KubeClient

/// `airlock list`: requests, pending first, with what each asks, who asked, age, time left
/// and approvals so far.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List requests: pending first, with what each asks and who asked.")

    @OptionGroup var options: CLIOptions

    @Flag(name: [.customShort("A"), .long], help: "List requests in every namespace.")
    var allNamespaces = false

    @Flag(help: "Only requests waiting for a decision.")
    var pending = false

    func run() async throws {
        let context = try CLIContext.make(options)
        try await context.run { context in
            let namespace = allNamespaces ? nil : context.namespace
            let list = try await api("list actionrequests" + (namespace.map { " in namespace \($0)" } ?? "")) {
                try await context.client.listAll(ActionRequest.self, namespace: namespace)
            }
            let now = Date()
            var summaries = list.items.map { RequestSummary($0, now: now) }
            if pending { summaries = summaries.filter { $0.phase == "Pending" || $0.phase == "New" } }
            summaries = RequestSummary.sorted(summaries)
            try context.emit(
                RequestSummaryList(items: summaries),
                text: Rendering.table(summaries, allNamespaces: allNamespaces, now: now, palette: context.palette))
        }
    }
}

/// `airlock describe NAME`: the decision and why, reviews and which counted, grants, time
/// left, notifications.
struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe", abstract: "Show one request: decision and why, reviews, grants, time left.")

    @OptionGroup var options: CLIOptions

    @Argument(help: "Name of the ActionRequest.")
    var name: String

    func run() async throws {
        let context = try CLIContext.make(options)
        try await context.run { context in
            let request = try await api("get actionrequest \(context.namespace)/\(name)") {
                try await context.client.get(ActionRequest.self, name: name, namespace: context.namespace)
            }
            let now = Date()
            let summary = RequestSummary(request, now: now)
            try context.emit(summary, text: Rendering.describe(summary, now: now, palette: context.palette))
        }
    }
}
