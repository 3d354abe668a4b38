import AirlockCLI
import Foundation
import KubeCore
import Testing

/// `airlock mcp`'s protocol handling, message by message (a real client drives the whole
/// server in MCPTests).
@Suite struct MCPProtocolTests {
    let server = MCPProtocol(
        server: MCPServerInfo(name: "airlock", title: "Airlock", version: "1.2.3", instructions: "ask first"),
        tools: [
            MCPTool(
                name: "get_request", description: "Show one request.",
                inputSchema: ["type": "object", "properties": [:]],
                annotations: .init(title: "Show", readOnlyHint: true, idempotentHint: true, openWorldHint: false))
        ])

    func reply(_ line: String) throws -> JSONValue {
        guard case .reply(let message) = server.handle(line: line) else {
            throw CLIUsageError("no reply to \(line): \(server.handle(line: line))")
        }
        return message
    }

    func encoded(_ value: JSONValue) throws -> String {
        String(decoding: try KubeJSON.encode(value), as: UTF8.self)
    }

    @Test func initializeAnswersTheAskedVersionWhenKnownElseTheNewest() throws {
        let known = try reply(
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","#
                + #""capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        #expect(known["id"] == 1)
        #expect(known["result"]?["protocolVersion"] == "2025-06-18")
        #expect(known["result"]?["serverInfo"] == ["name": "airlock", "title": "Airlock", "version": "1.2.3"])
        #expect(known["result"]?["capabilities"] == ["tools": ["listChanged": false]])
        #expect(known["result"]?["instructions"] == "ask first")
        let unknown = try reply(
            #"{"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":"1999"}}"#)
        #expect(unknown["id"] == "a")
        #expect(unknown["result"]?["protocolVersion"] == .string(MCPProtocol.supportedVersions[0]))
    }

    @Test func pingAndToolsListAnswerTheirRequestID() throws {
        #expect(
            try encoded(reply(#"{"jsonrpc":"2.0","id":"p-1","method":"ping"}"#))
                == #"{"id":"p-1","jsonrpc":"2.0","result":{}}"#)
        let tools = try reply(#"{"jsonrpc":"2.0","id":7,"method":"tools/list","params":{}}"#)
        #expect(try encoded(tools).hasPrefix(#"{"id":7,"#))
        #expect(
            tools["result"]?["tools"]
                == [
                    [
                        "name": "get_request", "title": "Show", "description": "Show one request.",
                        "inputSchema": ["type": "object", "properties": [:]],
                        "annotations": [
                            "title": "Show", "readOnlyHint": true, "idempotentHint": true, "openWorldHint": false,
                        ],
                    ]
                ])
    }

    @Test func toolsCallIsHandedToTheToolsWithItsArguments() {
        #expect(
            server.handle(
                line:
                    #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_request","arguments":{"name":"x"}}}"#
            )
                == .callTool(id: 3, name: "get_request", arguments: ["name": "x"]))
        #expect(
            server.handle(line: #"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"get_request"}}"#)
                == .callTool(id: 4, name: "get_request", arguments: [:]))
    }

    @Test(arguments: [
        ("{not json", -32700, "not JSON", JSONValue.null),
        ("[1,2]", -32600, "is an object", .null),
        (#"{"id":1,"method":"ping"}"#, -32600, "jsonrpc must be", 1),
        (#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#, -32600, "string or a number", .null),
        (#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#, -32600, "string or a number", .null),
        (#"{"jsonrpc":"2.0","id":2,"method":"resources/list"}"#, -32601, "method not found: resources/list", 2),
        (#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{}}"#, -32602, "params.name", 2),
        (
            #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"x","arguments":[1]}}"#, -32602,
            "arguments is an object", 2
        ),
    ])
    func badMessagesGetJSONRPCErrors(line: String, code: Int, message: String, id: JSONValue) throws {
        let answer = try reply(line)
        #expect(answer["id"] == id)
        #expect(answer["error"]?["code"] == .number(Double(code)))
        #expect(answer["error"]?["message"]?.stringValue?.contains(message) == true, "\(answer)")
        #expect(answer["result"] == nil)
    }

    @Test func notificationsAndResponsesAreNotAnswered() {
        #expect(server.handle(line: #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#) == .none)
        #expect(server.handle(line: #"{"jsonrpc":"2.0","id":9,"result":{}}"#) == .none)
        #expect(
            server.handle(
                line: #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"r-5","reason":"x"}}"#
            )
                == .cancel(id: "r-5"))
    }

    @Test func aToolResultCarriesTextStructuredContentAndIsError() throws {
        let granted = MCPProtocol.reply(
            to: 5, with: MCPToolResult(text: #"{"granted":true}"#, structured: ["granted": true]))
        #expect(
            try encoded(granted)
                == #"{"id":5,"jsonrpc":"2.0","result":{"content":[{"text":"{\"granted\":true}","type":"text"}],"#
                + #""isError":false,"structuredContent":{"granted":true}}}"#)
        let failed = MCPProtocol.reply(to: 6, with: MCPToolResult(text: "invalid input: x", isError: true))
        #expect(failed["result"]?["isError"] == true)
        #expect(failed["result"]?["structuredContent"] == nil)
    }

    @Test func toolArgumentsAreReadStrictly() throws {
        let input = ToolInput(
            tool: "wait_for_decision",
            arguments: ["a": 3, "b": 2.5, "c": .number(1e300), "d": "7", "e": true, "f": ["x", "y"], "g": [1]])
        #expect(try input.integer("a") == 3)
        #expect(try input.integer("d") == 7)
        // Not an integer, or none Int holds: refused with the argument's name, never a trap.
        for key in ["b", "c", "e"] {
            #expect(throws: CLIUsageError("\(key) must be an integer")) { try input.integer(key) }
        }
        #expect(try input.strings("f") == ["x", "y"])
        #expect(throws: CLIUsageError("g must be a list of strings")) { try input.strings("g") }
        #expect(throws: CLIUsageError("a must be a string")) { try input.string("a") }
        #expect(throws: CLIUsageError("a must be true or false")) { try input.bool("a") }
        #expect(throws: CLIUsageError(#"wait_for_decision has no argument "z"; it takes a, b"#)) {
            try ToolInput(tool: "wait_for_decision", arguments: ["z": 1]).only(["a", "b"])
        }
    }
}
