import Foundation

/// The exact stored form of a value: a one-key object naming its kind (`{"decimal": "1.50"}`), or
/// `null`. Numbers travel as text so nothing passes through a JSON double. Used where row images are
/// kept (undo journals, conflicts), not as the public JSON of a row (that is `PlainJSON`).
extension CanonicalValue: Codable {
    private enum Kind: String, CodingKey, CaseIterable {
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
        if case .null = self {
            var single = encoder.singleValueContainer()
            try single.encodeNil()
            return
        }
        var container = encoder.container(keyedBy: Kind.self)
        switch self {
        case .null: break
        case let .boolean(flag): try container.encode(flag, forKey: .boolean)
        case let .integer(number): try container.encode(String(number), forKey: .integer)
        case let .decimal(digits): try container.encode(digits, forKey: .decimal)
        case let .float(number): try container.encode(FloatText.render(number), forKey: .float)
        case let .text(text): try container.encode(text, forKey: .text)
        case let .binary(bytes): try container.encode(HexBytes.encode(bytes), forKey: .binary)
        case let .geometry(bytes): try container.encode(HexBytes.encode(bytes), forKey: .geometry)
        case let .uuid(uuid): try container.encode(UUIDText.lowercase(uuid), forKey: .uuid)
        case let .date(text): try container.encode(text, forKey: .date)
        case let .time(text): try container.encode(text, forKey: .time)
        case let .timestamp(text): try container.encode(text, forKey: .timestamp)
        case let .timestampWithZone(text): try container.encode(text, forKey: .timestampWithZone)
        case let .interval(text): try container.encode(text, forKey: .interval)
        case let .json(text): try container.encode(text, forKey: .json)
        case let .xml(text): try container.encode(text, forKey: .xml)
        case let .array(values): try container.encode(values, forKey: .array)
        }
    }
}
