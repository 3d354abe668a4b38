import Foundation
import KubeCore

/// A tool call's arguments, read with errors that name the argument. A number is an integer
/// only when exactly one (`1e300` is refused, not trapped on).
public struct ToolInput: Sendable {
    public let tool: String
    public let arguments: [String: JSONValue]

    public init(tool: String, arguments: [String: JSONValue]) {
        self.tool = tool
        self.arguments = arguments
    }

    public func only(_ known: Set<String>) throws(CLIUsageError) {
        if let unknown = arguments.keys.sorted().first(where: { !known.contains($0) }) {
            throw CLIUsageError(
                "\(tool) has no argument \"\(unknown)\"; it takes \(known.sorted().joined(separator: ", "))")
        }
    }

    public func string(_ key: String) throws(CLIUsageError) -> String? {
        switch arguments[key] {
        case nil, .null?: return nil
        case .string(let text)?:
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        default: throw CLIUsageError("\(key) must be a string")
        }
    }

    public func required(_ key: String) throws(CLIUsageError) -> String {
        guard let value = try string(key) else { throw CLIUsageError("\(key) is required") }
        return value
    }

    public func strings(_ key: String) throws(CLIUsageError) -> [String]? {
        switch arguments[key] {
        case nil, .null?: return nil
        case .string(let text)?: return [text]
        case .array(let values)?:
            var result: [String] = []
            for value in values {
                guard case .string(let text) = value else { throw CLIUsageError("\(key) must be a list of strings") }
                result.append(text)
            }
            return result
        default: throw CLIUsageError("\(key) must be a list of strings")
        }
    }

    public func integer(_ key: String) throws(CLIUsageError) -> Int? {
        switch arguments[key] {
        case nil, .null?: return nil
        case .number(let value)?: if let value = Int(exactly: value) { return value }
        case .string(let text)?: if let value = Int(text) { return value }
        default: break
        }
        throw CLIUsageError("\(key) must be an integer")
    }

    public func bool(_ key: String) throws(CLIUsageError) -> Bool? {
        switch arguments[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        default: throw CLIUsageError("\(key) must be true or false")
        }
    }
}
