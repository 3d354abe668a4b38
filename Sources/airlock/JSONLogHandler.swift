import Foundation
import KubeCore
import Logging

/// Writes one JSON object per line to stderr: `{"time","level","logger","msg",...metadata}`.
struct JSONLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level
    let label: String

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: JSONValue] = [
            "time": .string(RFC3339.format(Date())), "level": .string(event.level.rawValue),
            "logger": .string(label), "msg": .string(event.message.description),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = Self.json(value)
        }
        if event.level >= .warning { fields["source"] = .string("\(event.file):\(event.line)") }
        guard var line = try? KubeJSON.encode(JSONValue.object(fields)) else { return }
        line.append(10)
        FileHandle.standardError.write(line)
    }

    static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .stringConvertible(let value): return .string(value.description)
        case .array(let values): return .array(values.map(json))
        case .dictionary(let values): return .object(values.mapValues(json))
        }
    }
}

enum LogFormat: String, CaseIterable {
    case json, text
}

enum LogBootstrap {
    /// Bootstraps swift-log once for the process.
    static func bootstrap(format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                return JSONLogHandler(label: label, level: level)
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
