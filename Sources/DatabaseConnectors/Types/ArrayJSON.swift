import Foundation

/// Arrays on engines without array types (SQLite, SQL Server): a JSON array whose elements are the
/// values' text literals (the literals PostgreSQL reads) or nested arrays, so every element keeps its
/// exact form (no number ever passes through a JSON double).
enum ArrayJSON {
    /// The JSON text of an array value.
    static func encode(_ elements: [CanonicalValue]) -> String {
        func json(_ value: CanonicalValue) -> Any {
            switch value {
            case .null: NSNull()
            case let .array(inner): inner.map(json)
            default: PostgresValueCodec.encode(value) ?? ""
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: elements.map(json))) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The array value of JSON text whose elements are of type `element`.
    static func decode(_ text: String, _ element: CanonicalType) throws -> CanonicalValue {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any] else {
            throw ConnectorError(.invalidValue, "'\(text.prefix(40))' is not a JSON array")
        }
        func value(_ item: Any) throws -> CanonicalValue {
            switch item {
            case is NSNull: return .null
            case let inner as [Any]: return .array(try inner.map(value))
            case let string as String: return try PostgresValueCodec.decode(string, as: element)
            default: return try PostgresValueCodec.decode("\(item)", as: element)
            }
        }
        return .array(try parsed.map(value))
    }
}
