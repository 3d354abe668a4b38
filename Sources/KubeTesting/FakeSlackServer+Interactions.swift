import AsyncHTTPClient
import Crypto
import Foundation
import KubeCore
import NIOCore

extension FakeSlackServer {
    /// A `block_actions` interaction: `user` clicks the element with `actionID` on `message`
    /// (for a select, chooses the option whose value is `option`, starts with `option|`, or is
    /// labelled `option`), signed as Slack signs it — with `signingSecret` when given (forge
    /// one with a wrong secret). Issues a `trigger_id` that `views.open` accepts once and a
    /// `response_url` on this fake.
    ///
    /// - Throws: ``KubeTestingError`` when the message has no such element or option.
    public func blockActions(
        clicking actionID: String, on message: Message, user userID: String, option: String? = nil,
        at date: Date = Date(), signingSecret: String? = nil
    ) throws -> SignedInteraction {
        var found: (block: JSONValue, element: JSONValue)? = nil
        for block in message.blocks {
            for element in block["elements"].map(\.arrayItems) ?? [] where element["action_id"]?.stringValue == actionID
            {
                found = (block, element)
            }
        }
        guard let (block, element) = found else {
            throw KubeTestingError(.other, "message \(message.ts) has no element with action_id '\(actionID)'")
        }
        let actionTS = Self.slackTime(
            date,
            micros: state.withLock { state -> Int in
                state.sequence += 1
                return state.sequence % 1_000_000
            })
        var action: [String: JSONValue] = [
            "action_id": .string(actionID), "block_id": block["block_id"] ?? "", "type": element["type"] ?? "",
            "action_ts": .string(actionTS),
        ]
        if let text = element["text"] { action["text"] = text }
        if let value = element["value"] { action["value"] = value }
        if let style = element["style"] { action["style"] = style }
        if element["type"]?.stringValue == "static_select" {
            guard let option,
                let chosen = (element["options"].map(\.arrayItems) ?? []).first(where: {
                    let value = $0["value"]?.stringValue ?? ""
                    return value == option || value.hasPrefix(option + "|")
                        || $0["text"]?["text"]?.stringValue == option
                })
            else {
                throw KubeTestingError(.other, "the select '\(actionID)' has no option '\(option ?? "(none)")'")
            }
            action["selected_option"] = chosen
        }
        let (trigger, responseID) = issueTriggerAndResponseURL()
        let user = userJSON(userID)
        let payload: JSONValue = [
            "type": "block_actions", "user": user, "api_app_id": "A0AIRLOCK", "token": "unused-verification-token",
            "container": [
                "type": "message", "message_ts": .string(message.ts), "channel_id": .string(message.channel),
                "is_ephemeral": false,
            ],
            "trigger_id": .string(trigger), "team": ["id": .string(teamID), "domain": "airlock-fake"],
            "enterprise": nil, "is_enterprise_install": false,
            "channel": ["id": .string(message.channel), "name": "airlock-approvals"],
            "message": [
                "type": "message", "ts": .string(message.ts), "text": .string(message.text),
                "blocks": .array(message.blocks), "bot_id": "B0AIRLOCK", "user": "U0AIRLOCKBOT",
            ],
            "state": ["values": [:]], "response_url": .string(responseURLPrefix + responseID),
            "actions": [.object(action)],
        ]
        return sign(payload, at: date, secret: signingSecret)
    }

    /// A `view_submission` interaction: `user` submits the modal `view` (opened with
    /// `views.open`) with `values[block_id][action_id]` typed in, signed as Slack signs it.
    public func viewSubmission(
        of view: OpenedView, user userID: String, values: [String: [String: String]], at date: Date = Date(),
        signingSecret: String? = nil
    ) -> SignedInteraction {
        var state: [String: JSONValue] = [:]
        for (block, actions) in values {
            state[block] = .object(actions.mapValues { ["type": "plain_text_input", "value": .string($0)] })
        }
        var submitted = view.view.objectMembers
        submitted["id"] = .string(view.id)
        submitted["team_id"] = .string(teamID)
        submitted["state"] = ["values": .object(state)]
        submitted["hash"] = .string("\(epoch).\(view.id)")
        submitted["app_id"] = "A0AIRLOCK"
        submitted["bot_id"] = "B0AIRLOCK"
        let (trigger, _) = issueTriggerAndResponseURL()
        let payload: JSONValue = [
            "type": "view_submission", "team": ["id": .string(teamID), "domain": "airlock-fake"],
            "user": userJSON(userID), "api_app_id": "A0AIRLOCK", "token": "unused-verification-token",
            "trigger_id": .string(trigger), "view": .object(submitted), "response_urls": [],
            "is_enterprise_install": false,
        ]
        return sign(payload, at: date, secret: signingSecret)
    }

    /// The form body and Slack's signature headers for `payload`.
    public func sign(_ payload: JSONValue, at date: Date = Date(), secret: String? = nil) -> SignedInteraction {
        let json = String(decoding: (try? KubeJSON.encode(payload)) ?? Data(), as: UTF8.self)
        let body = "payload=" + Self.formEscape(json)
        let timestamp = String(Int64(date.timeIntervalSince1970.rounded(.down)))
        let key = SymmetricKey(data: Array((secret ?? signingSecret).utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array("v0:\(timestamp):\(body)".utf8), using: key)
        let signature = "v0=" + Hex.encode(mac)
        return SignedInteraction(
            body: body,
            headers: [
                "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signature,
            ], payload: payload)
    }

    /// POSTs a signed interaction to `url` (the interactivity endpoint under test), as Slack
    /// would; returns the HTTP status and body.
    public func post(_ interaction: SignedInteraction, to url: String) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in interaction.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: interaction.body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// Clicks `actionID` on the message at `ts` in `channel` and POSTs it to `url`.
    public func click(
        _ actionID: String, channel: String, ts: String, user: String, option: String? = nil, to url: String
    ) async throws -> (status: Int, body: String) {
        guard let message = message(channel: channel, ts: ts) else {
            throw KubeTestingError(.other, "no message \(ts) in \(channel)")
        }
        return try await post(blockActions(clicking: actionID, on: message, user: user, option: option), to: url)
    }

    // MARK: Helpers

    private func issueTriggerAndResponseURL() -> (trigger: String, responseID: String) {
        state.withLock { state in
            state.sequence += 1
            let trigger = "\(epoch).\(state.sequence).\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
            let response = "R\(state.sequence)x\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
            state.triggers[trigger] = false
            state.responseURLUses[response] = 0
            return (trigger, response)
        }
    }

    private func userJSON(_ id: String) -> JSONValue {
        let name = state.withLock { $0.users[id]?.name } ?? id.lowercased()
        return ["id": .string(id), "username": .string(name), "name": .string(name), "team_id": .string(teamID)]
    }

    static func slackTime(_ date: Date, micros: Int) -> String {
        let text = String(micros)
        return
            "\(Int64(date.timeIntervalSince1970.rounded(.down))).\(String(repeating: "0", count: 6 - text.count))\(text)"
    }

    /// Percent-encodes all but RFC 3986 unreserved characters (as Slack's form bodies are).
    static func formEscape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.unicodeScalars.map { scalar -> String in
            if scalar.isASCII && allowed.contains(scalar) { return String(scalar) }
            return String(scalar).utf8.map { String(format: "%%%02X", $0) }.joined()
        }.joined()
    }
}

extension JSONValue {
    fileprivate var arrayItems: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }
}
