import Foundation

/// The exact stored form of a value: a one-key object naming its kind (`{"decimal": "1.50"}`), or
/// `null`. Numbers travel as text so nothing passes through a JSON double. Used where row images are
/// kept (undo journals, conflicts), not as the public JSON of a row (that is `PlainJSON`).
extension CanonicalValue: Codable {
    enum Kind: String, CodingKey, CaseIterable {
        case boolean, integer, decimal, float, text, binary, uuid, date, time, timestamp
        case timestampWithZone = "timestamptz", interval, json, xml, geometry, array
    }

    public init(from decoder: any Decoder) throws {
        if try decoder.singleValueContainer().decodeNil() {
            self = .null
            return
        }
        let container = try decoder.container(keyedBy: Kind.self)
        guard let kind = container.allKeys.first, container.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected one value kind"))
        }
        func text() throws -> String { try container.decode(String.self, forKey: kind) }
        func invalid() -> DecodingError {
            .dataCorruptedError(forKey: kind, in: container, debugDescription: "not a valid \(kind.rawValue) value")
        }
        switch kind {
        case .boolean: self = .boolean(try container.decode(Bool.self, forKey: kind))
        case .integer:
            guard let value = Int64(try text()) else { throw invalid() }
            self = .integer(value)
        case .decimal: self = .decimal(try text())
        case .float:
            guard let value = Double(try text()) else { throw invalid() }
            self = .float(value)
        case .text: self = .text(try text())
        case .binary, .geometry:
            guard let bytes = HexBytes.decode(try text()) else { throw invalid() }
            self = kind == .binary ? .binary(bytes) : .geometry(bytes)
        case .uuid:
            guard let uuid = UUIDText.parse(try text()) else { throw invalid() }
            self = .uuid(uuid)
        case .date: self = .date(try text())
        case .time: self = .time(try text())
        case .timestamp: self = .timestamp(try text())
        case .timestampWithZone: self = .timestampWithZone(try text())
        case .interval: self = .interval(try text())
        case .json: self = .json(try text())
        case .xml: self = .xml(try text())
        case .array: self = .array(try container.decode([CanonicalValue].self, forKey: kind))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch storedForm {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case let .boolean(flag):
            var container = encoder.container(keyedBy: Kind.self)
            try container.encode(flag, forKey: .boolean)
        case let .text(kind, text):
            var container = encoder.container(keyedBy: Kind.self)
            try container.encode(text, forKey: kind)
        case let .array(values):
            var container = encoder.container(keyedBy: Kind.self)
            try container.encode(values, forKey: .array)
        }
    }

    /// The shapes of the stored form: every kind but booleans and arrays is a string under its kind's name.
    enum StoredForm {
        case null
        case boolean(Bool)
        case text(Kind, String)
        case array([CanonicalValue])
    }

    var storedForm: StoredForm {
        switch self {
        case .null: .null
        case let .boolean(flag): .boolean(flag)
        case let .integer(number): .text(.integer, String(number))
        case let .decimal(digits): .text(.decimal, digits)
        case let .float(number): .text(.float, FloatText.render(number))
        case let .text(text): .text(.text, text)
        case let .binary(bytes): .text(.binary, HexBytes.encode(bytes))
        case let .geometry(bytes): .text(.geometry, HexBytes.encode(bytes))
        case let .uuid(uuid): .text(.uuid, UUIDText.lowercase(uuid))
        case let .date(text): .text(.date, text)
        case let .time(text): .text(.time, text)
        case let .timestamp(text): .text(.timestamp, text)
        case let .timestampWithZone(text): .text(.timestampWithZone, text)
        case let .interval(text): .text(.interval, text)
        case let .json(text): .text(.json, text)
        case let .xml(text): .text(.xml, text)
        case let .array(values): .array(values)
        }
    }
}
