import Foundation

/// The exact stored form of a value: a one-key object naming its kind (`{"decimal": "1.50"}`), or
/// `null`. Numbers travel as text so nothing passes through a JSON double. Used where row images are
/// kept (undo journals, conflicts), not as the public JSON of a row (that is `JSONForm`).
extension CanonicalValue: Codable {
    enum Kind: String, CodingKey, CaseIterable {
        case boolean, integer, decimal, float, text, binary, uuid, date, time, timestamp
        case timestampWithZone = "timestamptz", interval, json, xml, geometry, array
    }

    package init(from decoder: any Decoder) throws {
        if try decoder.singleValueContainer().decodeNil() {
            self = .null
            return
        }
        let container = try decoder.container(keyedBy: Kind.self)
        guard let kind = container.allKeys.first, container.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected one value kind"))
        }
        switch kind {
        case .boolean: self = .boolean(try container.decode(Bool.self, forKey: kind))
        case .array: self = .array(try container.decode([CanonicalValue].self, forKey: kind))
        default:
            guard let value = CanonicalValue(stored: kind, text: try container.decode(String.self, forKey: kind)) else {
                throw DecodingError.dataCorruptedError(forKey: kind, in: container, debugDescription: "not a valid \(kind.rawValue) value")
            }
            self = value
        }
    }

    /// The value of a kind stored as a string (every kind but booleans and arrays); nil when `text` is not one.
    init?(stored kind: Kind, text: String) {
        switch kind {
        case .integer:
            guard let value = Int64(text) else { return nil }
            self = .integer(value)
        case .decimal: self = .decimal(text)
        case .float:
            guard let value = Double(text) else { return nil }
            self = .float(value)
        case .text: self = .text(text)
        case .binary, .geometry:
            guard let bytes = HexBytes.decode(text) else { return nil }
            self = kind == .binary ? .binary(bytes) : .geometry(bytes)
        case .uuid:
            guard let uuid = UUIDText.parse(text) else { return nil }
            self = .uuid(uuid)
        case .date: self = .date(text)
        case .time: self = .time(text)
        case .timestamp: self = .timestamp(text)
        case .timestampWithZone: self = .timestampWithZone(text)
        case .interval: self = .interval(text)
        case .json: self = .json(text)
        case .xml: self = .xml(text)
        case .boolean, .array: return nil
        }
    }

    /// Reads one value in its stored form, as the `Codable` form would decode it.
    package static func readStored(_ reader: inout StoredJSONReader) throws -> CanonicalValue {
        if try reader.null() { return .null }
        var value: CanonicalValue?
        try reader.object { key, reader in
            guard value == nil, let kind = Kind(rawValue: key) else { throw reader.failure("expected one value kind") }
            switch kind {
            case .boolean: value = .boolean(try reader.bool())
            case .array:
                var values: [CanonicalValue] = []
                try reader.array { values.append(try readStored(&$0)) }
                value = .array(values)
            default:
                guard let stored = CanonicalValue(stored: kind, text: try reader.string()) else {
                    throw reader.failure("not a valid \(kind.rawValue) value")
                }
                value = stored
            }
        }
        guard let value else { throw reader.failure("expected one value kind") }
        return value
    }

    package func encode(to encoder: any Encoder) throws {
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
