import Foundation
import KubeCore
import Logging

/// Where decisions are recorded: one structured JSON line per decision in the log (label
/// `airlock.audit`), and, when configured, the hash-chained `AuditLog` file.
public struct AuditTrail: Sendable {
    private let logger: Logger
    private let file: AuditLog?

    public init(file: AuditLog? = nil, logger: Logger = Logger(label: "airlock.audit")) {
        self.file = file
        self.logger = logger
    }

    public func record(_ record: AuditRecord) async {
        var line = (try? KubeJSON.encode(record)).map { String(decoding: $0, as: UTF8.self) } ?? record.event
        if let file {
            do {
                let entry = try await file.append(record)
                line = (try? KubeJSON.encode(entry)).map { String(decoding: $0, as: UTF8.self) } ?? line
            } catch {
                logger.error("audit file \(file.path): could not append: \(error)")
            }
        }
        logger.info("\(line)", metadata: ["audit": "true"])
    }
}
