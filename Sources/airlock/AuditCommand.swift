import AirlockController
import ArgumentParser

/// `airlock audit verify FILE`: checks the hash chain of an audit file.
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Work with Airlock's audit trail.", subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify an audit file: exits 1 at the first edited, deleted or reordered entry.")

        @Argument(help: "The audit file (JSON lines).")
        var file: String

        func run() throws {
            do {
                let result = try AuditLog.verify(path: file)
                print("\(file): \(result.count) entries, chain intact, last hash \(result.lastHash)")
            } catch let error as AuditError {
                print("\(file): \(error)")
                throw ExitCode(1)
            }
        }
    }
}
