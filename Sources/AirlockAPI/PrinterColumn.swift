/// A column `kubectl get` shows for a custom resource (`additionalPrinterColumns`).
public struct PrinterColumn: Sendable, Hashable {
    /// The column's value type; `date` renders as an age, so it only suits past timestamps.
    public enum ColumnType: String, Sendable, Hashable {
        case string, integer, number, boolean, date
    }

    public var name: String
    public var type: ColumnType
    public var jsonPath: String
    public var description: String
    /// 0: always shown; 1: only with `-o wide`.
    public var priority: Int

    public init(_ name: String, _ type: ColumnType, _ jsonPath: String, _ description: String, priority: Int = 0) {
        self.name = name
        self.type = type
        self.jsonPath = jsonPath
        self.description = description
        self.priority = priority
    }

    /// The standard AGE column.
    public static let age = PrinterColumn(
        "Age", .date, ".metadata.creationTimestamp", "Time since the object was created.")
}
