import Foundation
import Hummingbird
import KubeCore
import NIOCore
import Synchronization

extension FakeSlackServer {
    /// What a Web API method decided.
    enum Outcome {
        case ok([String: JSONValue])
        case failed(String, messages: [String] = [])
    }

    static func route(
        _ box: FakeSlackServerBox, _ request: Request, _ context: BasicRequestContext
    ) async throws -> Response {
        guard let server = box.server else { return Response(status: .serviceUnavailable) }
        let method = context.parameters.get("method") ?? ""
        let body = try await request.body.collect(upTo: 8 << 20)
        var parameters = formFields(request.uri.query ?? "")
        let contentType = request.headers[.contentType] ?? ""
        let text = String(buffer: body)
        if contentType.hasPrefix("application/json") {
            guard let json = try? KubeJSON.decode(JSONValue.self, from: Data(text.utf8)),
                case .object(let members) = json
            else {
                return server.record(method: method, parameters: [:], outcome: Outcome.failed("invalid_json"))
            }
            parameters.merge(members) { _, body in body }
        } else if !text.isEmpty {
            parameters.merge(formFields(text)) { _, body in body }
        }
        return server.answer(method: method, parameters: parameters, authorization: request.headers[.authorization])
    }

    static func routeResponse(
        _ box: FakeSlackServerBox, _ request: Request, _ context: BasicRequestContext
    ) async throws -> Response {
        guard let server = box.server else { return Response(status: .serviceUnavailable) }
        let id = context.parameters.get("id") ?? ""
        let text = String(buffer: try await request.body.collect(upTo: 1 << 20))
        let json = (try? KubeJSON.decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
        let error: String? = server.state.withLock { state in
            guard let uses = state.responseURLUses[id] else { return "expired_url" }
            guard uses < 5 else { return "used_url" }
            state.responseURLUses[id] = uses + 1
            state.responsePosts.append(ResponsePost(id: id, body: json))
            return nil
        }
        if let error { return jsonResponse(["ok": false, "error": .string(error)], status: .notFound) }
        return jsonResponse(["ok": true])
    }

    /// Applies faults and authentication, runs the method, records the call.
    func answer(method: String, parameters: [String: JSONValue], authorization: String?) -> Response {
        let injected = state.withLock { fault(for: method, &$0) }
        if let fault = injected {
            switch fault {
            case .serverError(let status):
                record(method: method, parameters: parameters, status: status, error: "http_\(status)", faulted: true)
                return Response(
                    status: HTTPResponse.Status(code: status), headers: [.contentType: "text/html"],
                    body: .init(byteBuffer: ByteBuffer(string: "<html>upstream error</html>")))
            case .rateLimited(let seconds):
                record(method: method, parameters: parameters, status: 429, error: "ratelimited", faulted: true)
                return Self.jsonResponse(
                    ["ok": false, "error": "ratelimited"], status: .tooManyRequests,
                    headers: [.init("Retry-After")!: String(seconds)])
            case .slackError(let code):
                record(method: method, parameters: parameters, status: 200, error: code, faulted: true)
                return Self.jsonResponse(["ok": false, "error": .string(code)])
            }
        }
        guard let authorization, authorization.hasPrefix("Bearer ") else {
            return record(method: method, parameters: parameters, outcome: .failed("not_authed"))
        }
        guard authorization == "Bearer \(token)" else {
            return record(method: method, parameters: parameters, outcome: .failed("invalid_auth"))
        }
        let outcome: Outcome = state.withLock { state in
            switch method {
            case "chat.postMessage": postMessage(parameters, &state)
            case "chat.update": update(parameters, &state)
            case "views.open": openView(parameters, &state)
            case "users.info": userInfo(parameters, state)
            case "conversations.history": history(parameters, state)
            case "conversations.replies": replies(parameters, state)
            case "auth.test":
                .ok([
                    "team_id": .string(teamID), "user_id": "U0AIRLOCKBOT", "bot_id": "B0AIRLOCK", "team": "Airlock",
                    "user": "airlock",
                ])
            default: .failed("unknown_method")
            }
        }
        return record(method: method, parameters: parameters, outcome: outcome)
    }

    @discardableResult
    private func record(method: String, parameters: [String: JSONValue], outcome: Outcome) -> Response {
        switch outcome {
        case .ok(var members):
            record(
                method: method, parameters: parameters, status: 200, error: nil, answeredTS: members["ts"]?.stringValue)
            members["ok"] = true
            return Self.jsonResponse(.object(members))
        case .failed(let code, let messages):
            record(method: method, parameters: parameters, status: 200, error: code)
            var members: [String: JSONValue] = ["ok": false, "error": .string(code)]
            if !messages.isEmpty { members["response_metadata"] = ["messages": .array(messages.map(JSONValue.string))] }
            return Self.jsonResponse(.object(members))
        }
    }

    private func record(
        method: String, parameters: [String: JSONValue], status: Int, error: String?, faulted: Bool = false,
        answeredTS: String? = nil
    ) {
        let call = Call(
            method: method, parameters: parameters, channel: parameters["channel"]?.stringValue,
            text: parameters["text"]?.stringValue, blocks: Self.array(parameters["blocks"]),
            threadTS: parameters["thread_ts"]?.stringValue, metadata: Self.object(parameters["metadata"]),
            ts: answeredTS ?? parameters["ts"]?.stringValue, status: status, error: error, faulted: faulted)
        state.withLock { $0.calls.append(call) }
    }

    // MARK: Methods

    private func postMessage(_ parameters: [String: JSONValue], _ state: inout State) -> Outcome {
        guard let channel = parameters["channel"]?.stringValue, !channel.isEmpty else {
            return .failed("channel_not_found")
        }
        let text = parameters["text"]?.stringValue ?? ""
        let blocks = Self.array(parameters["blocks"]) ?? []
        if parameters["blocks"] != nil, Self.array(parameters["blocks"]) == nil {
            return .failed("invalid_blocks_format")
        }
        guard !text.isEmpty || !blocks.isEmpty else { return .failed("no_text") }
        let problems = Self.validate(blocks: blocks, maxBlocks: 50)
        guard problems.isEmpty else { return .failed("invalid_blocks", messages: problems) }
        let metadata = Self.object(parameters["metadata"])
        if parameters["metadata"] != nil {
            guard let metadata, metadata["event_type"]?.stringValue?.isEmpty == false,
                metadata["event_payload"].map({ if case .object = $0 { true } else { false } }) ?? false
            else { return .failed("invalid_metadata_format") }
        }
        let id = Self.channelID(channel)
        let threadTS = parameters["thread_ts"]?.stringValue
        if let threadTS, !state.messages.contains(where: { $0.channel == id && $0.ts == threadTS }) {
            return .failed("thread_not_found")
        }
        let message = Message(
            channel: id, ts: nextTS(&state), text: text, blocks: blocks, threadTS: threadTS, metadata: metadata,
            updates: 0)
        state.messages.append(message)
        return .ok(["channel": .string(id), "ts": .string(message.ts), "message": json(message, withMetadata: true)])
    }

    private func update(_ parameters: [String: JSONValue], _ state: inout State) -> Outcome {
        guard let channel = parameters["channel"]?.stringValue, let ts = parameters["ts"]?.stringValue else {
            return .failed("invalid_arguments")
        }
        let id = Self.channelID(channel)
        guard let index = state.messages.firstIndex(where: { $0.channel == id && $0.ts == ts }) else {
            return .failed("message_not_found")
        }
        let text = parameters["text"]?.stringValue
        let blocks = Self.array(parameters["blocks"])
        guard text?.isEmpty == false || blocks?.isEmpty == false else { return .failed("no_text") }
        let problems = Self.validate(blocks: blocks ?? [], maxBlocks: 50)
        guard problems.isEmpty else { return .failed("invalid_blocks", messages: problems) }
        if let text { state.messages[index].text = text }
        if let blocks { state.messages[index].blocks = blocks }
        if let metadata = Self.object(parameters["metadata"]) { state.messages[index].metadata = metadata }
        state.messages[index].updates += 1
        let message = state.messages[index]
        return .ok([
            "channel": .string(id), "ts": .string(ts), "text": .string(message.text),
            "message": json(message, withMetadata: true),
        ])
    }

    private func openView(_ parameters: [String: JSONValue], _ state: inout State) -> Outcome {
        guard let trigger = parameters["trigger_id"]?.stringValue, let view = Self.object(parameters["view"]) else {
            return .failed("invalid_arguments")
        }
        guard let used = state.triggers[trigger] else { return .failed("invalid_trigger_id") }
        guard !used else { return .failed("exchanged_trigger_id") }
        let problems = Self.validate(view: view)
        guard problems.isEmpty else { return .failed("invalid_arguments", messages: problems) }
        state.triggers[trigger] = true
        state.sequence += 1
        let opened = OpenedView(id: "V\(String(format: "%09d", state.sequence))", triggerID: trigger, view: view)
        state.openedViews.append(opened)
        var answered = view.objectMembers
        answered["id"] = .string(opened.id)
        answered["team_id"] = .string(teamID)
        answered["state"] = ["values": [:]]
        answered["hash"] = .string("\(epoch).\(opened.id)")
        return .ok(["view": .object(answered)])
    }

    private func userInfo(_ parameters: [String: JSONValue], _ state: State) -> Outcome {
        guard let id = parameters["user"]?.stringValue, let user = state.users[id] else {
            return .failed("user_not_found")
        }
        var profile: [String: JSONValue] = ["real_name": .string(user.name), "display_name": .string(user.name)]
        if let email = user.email { profile["email"] = .string(email) }
        return .ok([
            "user": [
                "id": .string(user.id), "team_id": .string(teamID), "name": .string(user.name),
                "deleted": .bool(user.isDeleted), "is_bot": .bool(user.isBot), "is_app_user": false,
                "is_restricted": .bool(user.isGuest), "is_ultra_restricted": false, "profile": .object(profile),
            ]
        ])
    }

    private func history(_ parameters: [String: JSONValue], _ state: State) -> Outcome {
        guard let channel = parameters["channel"]?.stringValue else { return .failed("channel_not_found") }
        let id = Self.channelID(channel)
        let oldest = parameters["oldest"]?.stringValue.flatMap(Double.init) ?? 0
        let latest = parameters["latest"]?.stringValue.flatMap(Double.init) ?? .infinity
        let withMetadata = ["true", "1"].contains(Self.string(parameters["include_all_metadata"]) ?? "")
        let limit = min(max(Int(Self.string(parameters["limit"]) ?? "") ?? 100, 1), 999)
        let offset =
            Self.string(parameters["cursor"]).flatMap { Data(base64Encoded: $0) }
            .flatMap { Int(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "next:", with: "")) } ?? 0
        let all = state.messages.filter { message in
            let ts = Double(message.ts) ?? 0
            return message.channel == id && (message.threadTS == nil || message.threadTS == message.ts)
                && ts > oldest && ts < latest
        }.reversed()
        let page = Array(all.dropFirst(offset).prefix(limit))
        let hasMore = offset + page.count < all.count
        let cursor = hasMore ? Data("next:\(offset + page.count)".utf8).base64EncodedString() : ""
        return .ok([
            "messages": .array(page.map { json($0, withMetadata: withMetadata) }), "has_more": .bool(hasMore),
            "pin_count": 0, "response_metadata": ["next_cursor": .string(cursor)],
        ])
    }

    /// `conversations.replies`: the parent, then its replies, oldest first.
    private func replies(_ parameters: [String: JSONValue], _ state: State) -> Outcome {
        guard let channel = parameters["channel"]?.stringValue else { return .failed("channel_not_found") }
        guard let ts = parameters["ts"]?.stringValue else { return .failed("invalid_arguments") }
        let id = Self.channelID(channel)
        guard state.messages.contains(where: { $0.channel == id && $0.ts == ts }) else {
            return .failed("thread_not_found")
        }
        let withMetadata = ["true", "1"].contains(Self.string(parameters["include_all_metadata"]) ?? "")
        let limit = min(max(Int(Self.string(parameters["limit"]) ?? "") ?? 100, 1), 1000)
        let offset =
            Self.string(parameters["cursor"]).flatMap { Data(base64Encoded: $0) }
            .flatMap { Int(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "next:", with: "")) } ?? 0
        let thread = state.messages.filter { $0.channel == id && ($0.ts == ts || $0.threadTS == ts) }
        let page = Array(thread.dropFirst(offset).prefix(limit))
        let hasMore = offset + page.count < thread.count
        let cursor = hasMore ? Data("next:\(offset + page.count)".utf8).base64EncodedString() : ""
        return .ok([
            "messages": .array(page.map { json($0, withMetadata: withMetadata) }), "has_more": .bool(hasMore),
            "response_metadata": ["next_cursor": .string(cursor)],
        ])
    }

    // MARK: JSON

    private func json(_ message: Message, withMetadata: Bool) -> JSONValue {
        var members: [String: JSONValue] = [
            "type": "message", "ts": .string(message.ts), "text": .string(message.text), "user": "U0AIRLOCKBOT",
            "bot_id": "B0AIRLOCK", "app_id": "A0AIRLOCK", "team": .string(teamID), "blocks": .array(message.blocks),
        ]
        if let thread = message.threadTS { members["thread_ts"] = .string(thread) }
        if withMetadata, let metadata = message.metadata { members["metadata"] = metadata }
        return .object(members)
    }

    static func jsonResponse(
        _ json: JSONValue, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]
    ) -> Response {
        let data = (try? KubeJSON.encode(json)) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        headers.append(contentsOf: extra)
        return Response(
            status: status, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: String(decoding: data, as: UTF8.self))))
    }

    /// An array parameter, given as JSON or as a JSON string (form bodies).
    static func array(_ value: JSONValue?) -> [JSONValue]? {
        switch value {
        case .array(let items): items
        case .string(let text): (try? KubeJSON.decode(JSONValue.self, from: Data(text.utf8)))?.arrayValue
        default: nil
        }
    }

    /// An object parameter, given as JSON or as a JSON string (form bodies).
    static func object(_ value: JSONValue?) -> JSONValue? {
        switch value {
        case .object: value
        case .string(let text):
            (try? KubeJSON.decode(JSONValue.self, from: Data(text.utf8))).flatMap {
                if case .object = $0 { $0 } else { nil }
            }
        default: nil
        }
    }

    /// A scalar parameter as text (`true`, `200`, ...).
    static func string(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): number == number.rounded() ? String(Int64(number)) : String(number)
        default: nil
        }
    }

    /// `a=1&b=2` (query or form body), `+` as space, percent-decoded.
    static func formFields(_ text: String) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let key = decode(parts[0])
            if fields[key] == nil { fields[key] = .string(parts.count > 1 ? decode(parts[1]) : "") }
        }
        return fields
    }
}

extension JSONValue {
    fileprivate var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var objectMembers: [String: JSONValue] {
        if case .object(let members) = self { return members }
        return [:]
    }
}
