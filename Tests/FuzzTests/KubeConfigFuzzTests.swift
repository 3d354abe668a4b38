import Foundation
import KubeClient
import KubeCore
import Testing
import Yams

/// The kubeconfig parser under hostile files: corpus kubeconfigs mutated line by line (YAML's
/// own tricks: anchors, aliases, tags, flow collections, indentation), byte by byte, and in
/// their structure (written back as JSON, which is YAML too).
///
/// Must hold for every input: no crash or hang; either a configuration with a server that has
/// a host, or a `.configuration` error naming the file — never another error — and no error
/// message repeats the credentials in the file (token, client key).
extension FuzzSuite {
    static let kubeconfigPath = "/nonexistent-airlock-fuzz/kubeconfig"
    static let secretsInKubeconfigs = ["fuzz-token-4b1d7e0c", "RlVaWlNFQ1JFVEtFWU1BVEVSSUFM", "FUZZSECRETKEYMATERIAL"]

    @Test func kubeconfigs() async throws {
        let texts = try Corpus.files("kubeconfig").map { String(decoding: $0.data, as: UTF8.self) }
        try #require(texts.count >= 4, "the kubeconfig corpus is missing")
        let trees = try texts.map(Self.tree)
        try await Fuzzer("kubeconfig").run { _, random in
            let input: Data
            switch random.below(3) {
            case 0: input = Data(Self.mutateLines(random.pick(texts), &random).utf8)
            case 1: input = Data(ByteMutator.mutate(Array(random.pick(texts).utf8), &random))
            default: input = (try? KubeJSON.encode(JSONMutator.mutate(random.pick(trees), &random))) ?? Data()
            }
            let context = random.pick([nil, "agent", "admin", "plugin", "file", "other", "anonymous", ""])
            return (input, Self.judge(input, context: context))
        }
    }

    /// Replays every kept input (`Corpus/kubeconfig-regressions`) with its current context.
    @Test func kubeconfigRegressions() throws {
        for file in try Corpus.files("kubeconfig-regressions") {
            if case .violated(let problem) = Self.judge(file.data, context: nil) {
                Issue.record("\(file.name): \(problem)")
            }
        }
    }

    static func judge(_ input: Data, context: String?) -> Fuzzer.Verdict {
        do {
            let configuration = try ClientConfiguration.kubeconfig(
                contents: input, path: kubeconfigPath, context: context)
            guard configuration.server.host != nil else { return .violated("a server without a host") }
            return .passed("parsed")
        } catch let error as KubernetesError where error.kind == .configuration {
            guard error.message.hasPrefix("kubeconfig \(kubeconfigPath): ") else {
                return .violated("an error that does not name the file: \(error.message)")
            }
            if let secret = secretsInKubeconfigs.first(where: { error.message.contains($0) }) {
                return .violated("the error repeats a credential (\(secret)): \(error.message)")
            }
            return .passed("refused")
        } catch {
            return .violated("an error of another kind: \(error)")
        }
    }

    /// The corpus file as a JSON tree (anchors resolved).
    static func tree(_ text: String) throws -> JSONValue {
        let object = try Yams.load(yaml: text) ?? [:]
        return try KubeJSON.decode(JSONValue.self, from: JSONSerialization.data(withJSONObject: object))
    }

    /// Line edits: drop, repeat, swap, re-indent, or splice in a YAML construct.
    static func mutateLines(_ text: String, _ random: inout FuzzRandom) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let constructs = [
            "&a ", "*a", "<<: *a", "!!binary ", "!!str ", "!!int ", "? ", "- ", "{", "}", "[", "]", "|", ">", "'",
            "\"", "#", "%TAG ! tag:x,2000:", "---", "...", "~", "null", "yes", "0x1F", ".inf", "\t", "    ",
            "token: ", "server: ", "current-context: ", "exec: {command: /bin/sh}", "tokenFile: /etc/shadow",
        ]
        for _ in 0..<(1 + random.below(3)) where !lines.isEmpty {
            let at = random.below(lines.count)
            switch random.below(6) {
            case 0: lines.remove(at: at)
            case 1: lines.insert(lines[at], at: at)
            case 2: lines.swapAt(at, random.below(lines.count))
            case 3: lines[at] = String(repeating: " ", count: random.below(6)) + lines[at].drop { $0 == " " }
            default:
                var line = Array(lines[at])
                line.insert(contentsOf: random.pick(constructs), at: random.below(line.count + 1))
                lines[at] = String(line)
            }
        }
        return lines.joined(separator: "\n")
    }
}
