import Foundation
import NIOCore
import SQLiteNIO

/// Canonical values to and from SQLite storage classes (pure).
///
/// Exact types go as TEXT (decimal digits, ISO temporal text, lowercase UUIDs); binary and spatial
/// values as BLOB; arrays as TEXT in `ArrayJSON` form.
package enum SQLiteValueCodec {
    /// The SQLite value to bind for a canonical value.
    package static func encode(_ value: CanonicalValue) -> SQLiteData {
        switch value {
        case .null: .null
        case let .boolean(flag): .integer(flag ? 1 : 0)
        case let .integer(number): .integer(Int(number))
        // SQLite stores NaN as NULL: non-finite values travel as their text.
        case let .float(number): number.isFinite ? .float(number) : .text(FloatText.render(number))
        case let .binary(bytes), let .geometry(bytes): .blob(ByteBuffer(bytes: bytes))
        case let .uuid(uuid): .text(UUIDText.lowercase(uuid))
        case let .array(elements): .text(ArrayJSON.encode(elements))
        default: .text(PostgresValueCodec.encode(value) ?? "")
        }
    }

    /// The canonical value of a stored SQLite value for a column of `type`.
    package static func decode(_ data: SQLiteData, as type: CanonicalType) throws -> CanonicalValue {
        if case .null = data { return .null }
        switch type {
        case .integer:
            switch data {
            case let .integer(number): return .integer(Int64(number))
            case let .float(number) where number.rounded() == number: return .integer(Int64(number))
            case let .text(text): if let number = Int64(text) { return .integer(number) }
            default: break
            }
            throw invalid(data, type)
        case .boolean:
            switch data {
            case let .integer(number): return .boolean(number != 0)
            case let .text(text): return .boolean(["1", "t", "true", "yes"].contains(text.lowercased()))
            default: throw invalid(data, type)
            }
        case .float:
            switch data {
            case let .float(number): return .float(number)
            case let .integer(number): return .float(Double(number))
            case let .text(text): if let number = Double(text) { return .float(number) }
            default: break
            }
            throw invalid(data, type)
        case .decimal, .money:
            switch data {
            case let .text(text): return .decimal(text)
            case let .integer(number): return .decimal(String(number))
            case let .float(number): return .decimal(FloatText.render(number))
            default: throw invalid(data, type)
            }
        case .binary, .rowVersion:
            return .binary(bytes(data))
        case .geometry:
            return .geometry(bytes(data))
        case .uuid:
            if case let .blob(buffer) = data, buffer.readableBytes == 16 {
                let raw = Array(buffer.readableBytesView)
                return .uuid(
                    UUID(
                        uuid: (
                            raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8],
                            raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]
                        )))
            }
            guard let uuid = UUIDText.parse(text(data)) else { throw invalid(data, type) }
            return .uuid(uuid)
        case let .array(element):
            return try ArrayJSON.decode(text(data), element)
        default:
            return try PostgresValueCodec.decode(text(data), as: type)
        }
    }

    private static func bytes(_ data: SQLiteData) -> [UInt8] {
        switch data {
        case let .blob(buffer): Array(buffer.readableBytesView)
        case let .text(text): Array(text.utf8)
        default: []
        }
    }

    private static func text(_ data: SQLiteData) -> String {
        switch data {
        case let .text(text): text
        case let .integer(number): String(number)
        case let .float(number): FloatText.render(number)
        case let .blob(buffer): String(decoding: buffer.readableBytesView, as: UTF8.self)
        case .null: ""
        }
    }

    private static func invalid(_ data: SQLiteData, _ type: CanonicalType) -> ConnectorError {
        ConnectorError(.invalidValue, "SQLite value \(data) is not a valid \(type) value")
    }
}
