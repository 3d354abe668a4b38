import AirlockCLI
import Foundation
import KubeCore
import Logging
import Synchronization

/// `airlock mcp`'s transport: newline-delimited JSON-RPC on stdin and stdout (nothing else is
/// written to stdout). ``MCPProtocol`` decides what each line asks; tool calls run
/// concurrently, so a long `wait_for_decision` never holds up a `ping` or another call, and
/// each answer is written as one whole line. Ends when stdin does, cancelling what still runs.
struct MCPStdioServer {
    let protocolHandler: MCPProtocol
    let call: @Sendable (String, [String: JSONValue]) async -> MCPToolResult
    let logger: Logger

    func run() async {
        let output = LineWriter(logger: logger)
        let calls = RunningCalls()
        for await line in Self.standardInputLines() where !line.allSatisfy(\.isWhitespace) {
            switch protocolHandler.handle(line: line) {
            case .reply(let message):
                output.write(message)
            case .callTool(let id, let name, let arguments):
                calls.start(id) {
                    let result = await call(name, arguments)
                    // A cancelled call is not answered (the client asked for that).
                    if !Task.isCancelled { output.write(MCPProtocol.reply(to: id, with: result)) }
                }
            case .cancel(let id):
                calls.cancel(id)
            case .none:
                break
            }
        }
        calls.cancelAll()
    }

    /// Lines of stdin, read by a thread of their own (a blocking read must not hold one of the
    /// cooperative pool's few threads); ends at end of file.
    private static func standardInputLines() -> AsyncStream<String> {
        AsyncStream { continuation in
            let reader = Thread {
                while let line = readLine(strippingNewline: true) { continuation.yield(line) }
                continuation.finish()
            }
            reader.name = "airlock.mcp-stdin"
            reader.start()
        }
    }
}

/// The tool calls still running, by request id.
private final class RunningCalls: Sendable {
    private let tasks = Mutex<[JSONValue: Task<Void, Never>]>([:])

    func start(_ id: JSONValue, _ body: @escaping @Sendable () async -> Void) {
        // Registered under the lock the task's removal takes, so the removal never comes first.
        tasks.withLock { tasks in
            tasks[id] = Task {
                await body()
                self.finished(id)
            }
        }
    }

    func cancel(_ id: JSONValue) {
        tasks.withLock { $0.removeValue(forKey: id) }?.cancel()
    }

    /// Cancels every call without waiting for it: the client that would read the answers is
    /// gone, and a wait_for_decision may have most of an hour left.
    func cancelAll() {
        let running = tasks.withLock { tasks in
            defer { tasks.removeAll() }
            return Array(tasks.values)
        }
        for task in running { task.cancel() }
    }

    private func finished(_ id: JSONValue) {
        _ = tasks.withLock { $0.removeValue(forKey: id) }
    }
}

/// Writes JSON-RPC messages to stdout, one line each, never interleaved.
private final class LineWriter: Sendable {
    private let lock = Mutex(())
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func write(_ message: JSONValue) {
        do {
            var data = try KubeJSON.encode(message)
            data.append(UInt8(ascii: "\n"))
            try lock.withLock { _ in try FileHandle.standardOutput.write(contentsOf: data) }
        } catch {
            logger.error("mcp: could not write an answer to stdout: \(error)")
        }
    }
}
