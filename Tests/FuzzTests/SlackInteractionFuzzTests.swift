import AirlockAPI
import AirlockChat
import Foundation
import KubeCore
import Logging
import Testing

/// The Slack interactivity endpoint's handler under hostile input: corpus payloads mutated in
/// their structure (then signed, so the parser is reached), form bodies mutated byte by byte
/// (signed), signed bodies tampered with after signing, and forged or broken headers.
///
/// Must hold for every input: no crash or hang; the answer is an HTTP status Slack knows
/// (200, 400, 401, 403, 413, 503) with a JSON body when it says JSON; anything not signed over
/// exactly its bytes is refused with 401; a review (the only thing that writes to the
/// cluster) is submitted only for a correctly signed payload, for the mapped Kubernetes user
/// of the Slack user who clicked, as Approve/Revoke from a button or Deny from the modal.
extension FuzzSuite {
    static let secret = "fuzz-signing-secret-0123456789"
    static let now = Date(timeIntervalSince1970: 1_750_000_100)
    static let mapped = ["U1": ChatIdentity(username: "alice", groups: ["sre"])]

    enum SlackMode: String, CaseIterable {
        case structure, bytes, tampered, forged
    }

    @Test func slackInteractions() async throws {
        let seeds = try Corpus.json("slack")
        try #require(seeds.count >= 6, "the Slack corpus is missing")
        let signer = SlackSignature(signingSecret: ChatSecret(Self.secret))
        var handler = Self.slackHandler(signer)
        try await Fuzzer("slack-interactions").run { index, random in
            // A fresh replay cache now and then: identical bodies are replays (refused), and
            // the cache's capacity is not what is under test here.
            if index % 5000 == 0 { handler = Self.slackHandler(signer) }
            let mode = random.pick(SlackMode.allCases)
            let seed = random.pick(seeds)
            var body: [UInt8]
            switch mode {
            case .structure, .tampered, .forged:
                body = Self.formBody(JSONMutator.mutate(seed, &random))
            case .bytes:
                body = ByteMutator.mutate(Self.formBody(seed), &random)
            }
            var headers = signer.headers(body: body, at: Self.now)
            switch mode {
            case .tampered: body = ByteMutator.mutate(body, &random)
            case .forged: headers = Self.forge(headers, body: body, &random)
            default: break
            }
            let outcome = await handler.handle(body: body, headers: headers, now: Self.now)
            return (Data(body), Self.judge(outcome, body: body, headers: headers, signer: signer))
        }
    }

    /// Replays every kept input (`Corpus/slack-regressions`: raw form bodies), signed.
    @Test func slackRegressions() async throws {
        let signer = SlackSignature(signingSecret: ChatSecret(Self.secret))
        for file in try Corpus.files("slack-regressions") {
            let body = Array(file.data)
            let headers = signer.headers(body: body, at: Self.now)
            let outcome = await Self.slackHandler(signer).handle(body: body, headers: headers, now: Self.now)
            if case .violated(let problem) = Self.judge(outcome, body: body, headers: headers, signer: signer) {
                Issue.record("\(file.name): \(problem)")
            }
        }
    }

    static func slackHandler(_ signer: SlackSignature) -> SlackInteractionHandler {
        var logger = Logger(label: "fuzz.slack")
        logger.logLevel = .critical
        return SlackInteractionHandler(signature: signer, mapper: StaticUserMapper(users: mapped), logger: logger)
    }

    /// `payload=<url-encoded JSON>`, as Slack sends it.
    static func formBody(_ payload: JSONValue) -> [UInt8] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let json = String(decoding: (try? KubeJSON.encode(payload)) ?? Data(), as: UTF8.self)
        return Array(("payload=" + (json.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")).utf8)
    }

    /// Headers an attacker without the secret could send.
    static func forge(_ headers: [String: String], body: [UInt8], _ random: inout FuzzRandom) -> [String: String] {
        var headers = headers
        let signature = SlackSignature.signatureHeader
        let timestamp = SlackSignature.timestampHeader
        switch random.below(6) {
        case 0: headers[signature] = nil
        case 1: headers[timestamp] = random.pick(["", "abc", "-1", "99999999999999", "1750000100 ", "1750000100.5"])
        case 2:
            // Signed correctly, but 6 minutes old (or in the future): replayable only within 5.
            let shifted = Date(timeIntervalSince1970: now.timeIntervalSince1970 + (random.chance(50) ? -360 : 360))
            headers = SlackSignature(signingSecret: ChatSecret(secret)).headers(body: body, at: shifted)
        case 3:
            headers = SlackSignature(signingSecret: ChatSecret(random.pick(["", "guess", secret + "x"]))).headers(
                body: body, at: now)
        case 4:
            headers[signature] = random.pick(["v0=", "v1=" + String(repeating: "0", count: 64), "v0=zz", "garbage"])
        default:
            var value = Array(headers[signature] ?? "")
            if !value.isEmpty { value[random.below(value.count)] = random.pick(Array("0123456789abcdef")) }
            headers[signature] = String(value)
        }
        return headers
    }

    /// The properties every answer must have (see the suite's doc comment).
    static func judge(
        _ outcome: SlackInteractionOutcome, body: [UInt8], headers: [String: String], signer: SlackSignature
    ) -> Fuzzer.Verdict {
        let signed =
            (try? signer.verify(
                body: body, timestamp: headers[SlackSignature.timestampHeader],
                signature: headers[SlackSignature.signatureHeader], now: now)) != nil
        switch outcome {
        case .respond(let answer):
            guard [200, 400, 401, 403, 413, 503].contains(answer.status) else {
                return .violated("answered HTTP \(answer.status)")
            }
            if !signed, answer.status != 401 {
                return .violated("not signed over its bytes, answered \(answer.status)")
            }
            if answer.contentType?.contains("json") == true,
                (try? KubeJSON.decode(JSONValue.self, from: Data(answer.body.utf8))) == nil
            {
                return .violated("a JSON answer that is not JSON: \(answer.body.prefix(200))")
            }
            return .passed("\(answer.status)")
        case .openModal(let trigger, let view, _):
            guard signed else { return .violated("opened a modal for an unsigned body") }
            guard let payload = payload(of: body), payload["trigger_id"]?.stringValue == trigger,
                view["callback_id"]?.stringValue == SlackActionID.denyModalCallback
            else { return .violated("opened a modal the payload did not ask for") }
            return .passed("modal")
        case .submitReview(let intent):
            guard signed else { return .violated("submitted a review for an unsigned body") }
            guard let payload = payload(of: body), let user = payload["user"]?["id"]?.stringValue,
                user == intent.externalUser, mapped[user]?.username == intent.username
            else { return .violated("submitted a review not as the mapped user who clicked: \(intent.username)") }
            let type = payload["type"]?.stringValue
            let fitting =
                (type == "block_actions" && [.approve, .revoke].contains(intent.decision))
                || (type == "view_submission" && intent.decision == .deny && !(intent.comment ?? "").isEmpty)
            guard fitting else { return .violated("a \(intent.decision) review from a \(type ?? "?") payload") }
            guard intent.request.namespace.count > 0, intent.request.name.count > 0, intent.request.uid.count > 0
            else { return .violated("a review of an unnamed request: \(intent.request)") }
            return .passed("review")
        }
    }

    /// The payload JSON of a form body, parsed independently of the code under test.
    static func payload(of body: [UInt8]) -> JSONValue? {
        let text = String(decoding: body, as: UTF8.self)
        guard let field = text.split(separator: "&").first(where: { $0.hasPrefix("payload=") }),
            let decoded = String(field.dropFirst("payload=".count)).replacingOccurrences(of: "+", with: " ")
                .removingPercentEncoding
        else { return nil }
        return try? KubeJSON.decode(JSONValue.self, from: Data(decoded.utf8))
    }
}
