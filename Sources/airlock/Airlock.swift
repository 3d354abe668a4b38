import ArgumentParser

@main
struct Airlock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "airlock",
        abstract: "Zero standing privilege for Kubernetes: approved, time-bound access for one action.",
        subcommands: [Run.self, Controller.self, Demo.self, CRDs.self, Audit.self],
        defaultSubcommand: Run.self
    )
}
