import Foundation
import KubeCore

extension JSONValue {
    /// The elements of an array, or nil.
    var arrayItems: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The members of an object, or nil.
    var objectMembers: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Compact JSON with sorted keys. A `JSONValue` always encodes (numbers are finite by
    /// construction in this module), hence the force-try.
    var jsonData: Data {
        try! KubeJSON.encode(self)
    }

    var jsonString: String { String(decoding: jsonData, as: UTF8.self) }
}
