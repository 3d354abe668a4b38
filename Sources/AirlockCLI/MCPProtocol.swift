import Foundation
import KubeCore

/// The server side of the Model Context Protocol as values: a JSON-RPC 2.0 message in, what to
/// do out. It speaks the lifecycle (`initialize`, `ping`) and the tools capability
/// (`tools/list`, `tools/call`) of spec versions 2024-11-05 to 2025-11-25. No I/O: `airlock
/// mcp` reads the lines, runs the tool calls and writes the answers.
public struct MCPProtocol: Sendable {
    /// Newest first; an `initialize` asking for another version is answered with the newest.
    public static let supportedVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]

    public let server: MCPServerInfo
    public let tools: [MCPTool]

    public init(server: MCPServerInfo, tools: [MCPTool]) {
        self.server = server
        self.tools = tools
    }

    /// What a message asks of the server.
    public enum Action: Sendable, Equatable {
        /// Write this message.
        case reply(JSONValue)
        /// Run the tool, then answer request `id` with ``reply(to:with:)``.
        case callTool(id: JSONValue, name: String, arguments: [String: JSONValue])
        /// The client gave up on request `id`: stop its call and answer nothing.
        case cancel(id: JSONValue)
        /// A notification, or a response to a request this server never sends: nothing.
        case none
    }

    /// JSON-RPC's error codes.
    enum ErrorCode: Int {
        case parseError = -32700
        case invalidRequest = -32600
        case methodNotFound = -32601
        case invalidParams = -32602
    }

    /// One line of the stdio transport.
    public func handle(line: String) -> Action {
        guard let message = try? KubeJSON.decode(JSONValue.self, from: Data(line.utf8)) else {
            return .reply(Self.error(id: .null, .parseError, "not a JSON-RPC message: the line is not JSON"))
        }
        return handle(message)
    }

    public func handle(_ message: JSONValue) -> Action {
        guard case .object(let members) = message else {
            return .reply(Self.error(id: .null, .invalidRequest, "a JSON-RPC message is an object"))
        }
        let id = members["id"]
        guard members["jsonrpc"] == "2.0" else {
            return .reply(Self.error(id: id ?? .null, .invalidRequest, "jsonrpc must be \"2.0\""))
        }
        guard let method = members["method"]?.stringValue else {
            // A response (result or error): this server sends no requests, so none is awaited.
            return .none
        }
        let params = members["params"]
        guard let id else { return notification(method, params) }
        switch id {
        case .string, .number: break
        default: return .reply(Self.error(id: .null, .invalidRequest, "a request id is a string or a number"))
        }
        switch method {
        case "initialize": return .reply(Self.result(id: id, initialize(params)))
        case "ping": return .reply(Self.result(id: id, .object([:])))
        case "tools/list": return .reply(Self.result(id: id, ["tools": .array(tools.map(\.json))]))
        case "tools/call":
            guard let name = params?["name"]?.stringValue else {
                return .reply(Self.error(id: id, .invalidParams, "tools/call needs params.name, the tool's name"))
            }
            switch params?["arguments"] {
            case nil, .null?: return .callTool(id: id, name: name, arguments: [:])
            case .object(let arguments)?: return .callTool(id: id, name: name, arguments: arguments)
            default: return .reply(Self.error(id: id, .invalidParams, "tools/call: params.arguments is an object"))
            }
        default:
            return .reply(Self.error(id: id, .methodNotFound, "method not found: \(method)"))
        }
    }

    /// The answer to a tool call.
    public static func reply(to id: JSONValue, with result: MCPToolResult) -> JSONValue {
        Self.result(id: id, result.json)
    }

    private func notification(_ method: String, _ params: JSONValue?) -> Action {
        if method == "notifications/cancelled", let id = params?["requestId"] { return .cancel(id: id) }
        return .none
    }

    private func initialize(_ params: JSONValue?) -> JSONValue {
        let asked = params?["protocolVersion"]?.stringValue ?? ""
        let version = Self.supportedVersions.contains(asked) ? asked : Self.supportedVersions[0]
        return [
            "protocolVersion": .string(version),
            "capabilities": ["tools": ["listChanged": false]],
            "serverInfo": [
                "name": .string(server.name), "title": .string(server.title), "version": .string(server.version),
            ],
            "instructions": .string(server.instructions),
        ]
    }

    static func result(id: JSONValue, _ result: JSONValue) -> JSONValue {
        ["jsonrpc": "2.0", "id": id, "result": result]
    }

    static func error(id: JSONValue, _ code: ErrorCode, _ message: String) -> JSONValue {
        ["jsonrpc": "2.0", "id": id, "error": ["code": .number(Double(code.rawValue)), "message": .string(message)]]
    }
}

/// How the server introduces itself in `initialize`.
public struct MCPServerInfo: Sendable {
    public var name: String
    public var title: String
    public var version: String
    /// How to use the tools, for the model.
    public var instructions: String

    public init(name: String, title: String, version: String, instructions: String) {
        self.name = name
        self.title = title
        self.version = version
        self.instructions = instructions
    }
}

/// A tool as `tools/list` shows it.
public struct MCPTool: Sendable {
    public var name: String
    public var description: String
    /// A JSON Schema of `type: object`.
    public var inputSchema: JSONValue
    public var annotations: Annotations

    public init(name: String, description: String, inputSchema: JSONValue, annotations: Annotations) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.annotations = annotations
    }

    /// Hints for the client (spec: ToolAnnotations); nil ones are left out.
    public struct Annotations: Sendable {
        public var title: String
        public var readOnlyHint: Bool
        public var destructiveHint: Bool?
        public var idempotentHint: Bool?
        public var openWorldHint: Bool

        public init(
            title: String, readOnlyHint: Bool, destructiveHint: Bool? = nil, idempotentHint: Bool? = nil,
            openWorldHint: Bool
        ) {
            self.title = title
            self.readOnlyHint = readOnlyHint
            self.destructiveHint = destructiveHint
            self.idempotentHint = idempotentHint
            self.openWorldHint = openWorldHint
        }

        var json: JSONValue {
            var members: [String: JSONValue] = [
                "title": .string(title), "readOnlyHint": .bool(readOnlyHint), "openWorldHint": .bool(openWorldHint),
            ]
            members["destructiveHint"] = destructiveHint.map(JSONValue.bool)
            members["idempotentHint"] = idempotentHint.map(JSONValue.bool)
            return .object(members)
        }
    }

    var json: JSONValue {
        [
            "name": .string(name), "title": .string(annotations.title), "description": .string(description),
            "inputSchema": inputSchema, "annotations": annotations.json,
        ]
    }
}

/// What a tool call returns: its answer as text, and as structured content when it is JSON;
/// failures are results with `isError` (the model reads them), not protocol errors.
public struct MCPToolResult: Sendable, Equatable {
    public var text: String
    public var structured: JSONValue?
    public var isError: Bool

    public init(text: String, structured: JSONValue? = nil, isError: Bool = false) {
        self.text = text
        self.structured = structured
        self.isError = isError
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "content": [["type": "text", "text": .string(text)]], "isError": .bool(isError),
        ]
        members["structuredContent"] = structured
        return .object(members)
    }
}
