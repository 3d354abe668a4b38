/// Bad input from the command line or an MCP tool call: one line that names what to fix.
/// The CLI prints it and exits with ``AirlockExitCode/usage``; nothing is created.
public struct CLIUsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
