import Foundation
import KubeCore

/// Structure-aware mutations of a JSON document: a few edits at random places of the tree,
/// each one a thing a hostile or broken client could send.
enum JSONMutator {
    /// Strings that have broken parsers before: empty, huge, control and combining characters,
    /// path and format tricks, look-alike identities, numbers as text.
    static let strings: [String] = [
        "", " ", "\u{0}", "\u{202E}evil", "e\u{301}", "💥", "\\", "\"", "'", "%", "%00", "%zz", "+", "&", "=",
        "payload=", "../../etc/passwd", "a/b/c", "a/b/c/d", "ns//uid", "///", "system:masters",
        "system:serviceaccount:airlock-system:airlock", "controller", "admin", "alice", "bob", "U0BOB", "U1",
        "approve", "approve_for", "deny", "revoke", "15m", "-1s", "0s", "99999999h", "1h|agents/fix-db/uid",
        "|", "null", "true", "1e309", "-0", "{", "[", "}", "]", "${HOME}", "$(id)", "`id`", "<script>",
        String(repeating: "a", count: 300), String(repeating: "🔥", count: 2000),
        "CREATE", "UPDATE", "DELETE", "CONNECT", "ActionRequest",
        "ActionReview", "airlock.dev/v1alpha1", "v1", "Ephemeral", "Subject",
    ]
    static let numbers: [Double] = [0, -1, 1, 2, 63, 64, 255, 4096, 1e15, -1e15, 0.5, 9_007_199_254_740_992, 1.5e300]

    static func mutate(_ value: JSONValue, _ random: inout FuzzRandom, edits: Int? = nil) -> JSONValue {
        var value = value
        for _ in 0..<(edits ?? 1 + random.below(4)) {
            value = edit(value, &random, depth: 0)
        }
        return value
    }

    /// Walks down a random path and changes what it finds there.
    private static func edit(_ value: JSONValue, _ random: inout FuzzRandom, depth: Int) -> JSONValue {
        switch value {
        // The root is rarely replaced whole: that only tests the first check.
        case .object(var members) where !members.isEmpty && random.chance(depth == 0 ? 97 : 75):
            let key = random.pick(members.keys.sorted())
            switch random.below(10) {
            case 0: members[key] = nil
            case 1: members[random.pick(strings)] = members[key]
            case 2: members[key + random.pick(["", "_", "X"])] = randomValue(&random, depth: depth)
            default: members[key] = edit(members[key]!, &random, depth: depth + 1)
            }
            return .object(members)
        case .array(var items) where !items.isEmpty && random.chance(75):
            let index = random.below(items.count)
            switch random.below(8) {
            case 0: items.remove(at: index)
            case 1: items.insert(items[index], at: index)
            case 2: items.append(randomValue(&random, depth: depth))
            default: items[index] = edit(items[index], &random, depth: depth + 1)
            }
            return .array(items)
        default:
            return replace(value, &random, depth: depth)
        }
    }

    private static func replace(_ value: JSONValue, _ random: inout FuzzRandom, depth: Int) -> JSONValue {
        switch (value, random.below(4)) {
        case (.string(let text), 0): return .string(text + random.pick(strings))
        case (.string(let text), 1) where !text.isEmpty:
            return .string(String(text.prefix(random.below(text.count))))
        default: return randomValue(&random, depth: depth)
        }
    }

    /// Any JSON value, nested a little (or, rarely, very deep).
    static func randomValue(_ random: inout FuzzRandom, depth: Int) -> JSONValue {
        if random.chance(1) {
            var deep: JSONValue = .string("bottom")
            for _ in 0..<(100 + random.below(400)) { deep = random.chance(50) ? .array([deep]) : .object(["a": deep]) }
            return deep
        }
        switch random.below(depth > 3 ? 4 : 6) {
        case 0: return .null
        case 1: return .bool(random.chance(50))
        case 2: return .number(random.pick(numbers))
        case 3: return .string(random.pick(strings))
        case 4: return .array((0..<random.below(4)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<random.below(4) { members[random.pick(strings)] = randomValue(&random, depth: depth + 1) }
            return .object(members)
        }
    }
}

/// Byte-level mutations: what a broken proxy, a truncated read or a hand-made attack does to
/// a valid body.
enum ByteMutator {
    static let tokens: [String] = [
        "%", "%2", "%zz", "%00", "+", "&", "=", "&payload=", "\u{0}", "\"", "\\", "\\u", "\\uD800", "{", "}", "[",
        "]", ",", ":", "1e400", "-", "null", "true", "\u{FEFF}", "\r\n", "\t", "*a", "&a ", "!!binary ", "? ",
        "- ", "---\n", "...\n", "%YAML 1.1\n", "<<: *a\n",
    ]

    static func mutate(_ bytes: [UInt8], _ random: inout FuzzRandom) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<(1 + random.below(4)) {
            let at = random.below(bytes.count + 1)
            switch random.below(7) {
            case 0 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] ^= UInt8(1 << random.below(8))
            case 1: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: at)
            case 2 where !bytes.isEmpty:
                bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.below(16)))
            case 3: bytes = Array(bytes.prefix(at))
            case 4 where !bytes.isEmpty:
                let end = min(bytes.count, at + 1 + random.below(64))
                bytes.insert(contentsOf: bytes[min(at, end)..<end], at: at)
            default: bytes.insert(contentsOf: Array(random.pick(tokens).utf8), at: at)
            }
        }
        return bytes
    }
}

/// The inputs of one corpus directory (`Tests/FuzzTests/Corpus/<name>`), sorted by name: the
/// seeds mutations start from, and regression inputs (crashers, hangs, violations) kept after
/// a fix.
enum Corpus {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    static func files(_ name: String) throws -> [(name: String, data: Data)] {
        let directory = root.appendingPathComponent(name)
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            .filter { !$0.hasPrefix(".") }
            .map { ($0, try Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    /// The corpus files as JSON (those that parse).
    static func json(_ name: String) throws -> [JSONValue] {
        try files(name).compactMap { try? KubeJSON.decode(JSONValue.self, from: $0.data) }
    }
}
