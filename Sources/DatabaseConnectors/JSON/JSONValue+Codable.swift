import Foundation

/// `Codable`, for the management API's types. Swift's JSON coders carry a number through `Int64`, `Decimal`
/// (38 significant digits) or `Double`, so a number is encoded through the first that keeps it exactly, and
/// one none keeps (a decimal of more digits) is encoded as its digits in a string, which every decimal column
/// also accepts. Decoding cannot see a number's digits: whatever must stay exact is read with `parse`.
extension JSONValue: Codable {
    package init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: AnyKey.self) {
            let keys = container.allKeys.sorted { $0.stringValue < $1.stringValue }
            self = .object(try keys.map { ($0.stringValue, try container.decode(JSONValue.self, forKey: $0)) })
            return
        }
        if var container = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !container.isAtEnd { items.append(try container.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Int64.self) {
            self = .number(String(number))
        } else if let number = try? container.decode(Decimal.self) {
            self = .number(number.description)
        } else if let number = try? container.decode(Double.self) {
            self = .number(FloatText.render(number))
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        switch self {
        case let .array(items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(item) }
        case let .object(fields):
            var container = encoder.container(keyedBy: AnyKey.self)
            for field in fields { try container.encode(field.value, forKey: AnyKey(field.key)) }
        default:
            var container = encoder.singleValueContainer()
            switch self {
            case .null: try container.encodeNil()
            case let .bool(flag): try container.encode(flag)
            case let .string(text): try container.encode(text)
            case let .number(digits):
                if let integer = Int64(digits) {
                    try container.encode(integer)
                } else if let decimal = Self.exactDecimal(digits) {
                    try container.encode(decimal)
                } else if let double = Double(digits), double.isFinite, FloatText.render(double) == digits {
                    try container.encode(double)
                } else {
                    try container.encode(digits)
                }
            case .array, .object: break
            }
        }
    }

    /// `digits` as a `Decimal` of the same value (at most 38 significant digits, exponent in range). Trailing
    /// zeros of a fraction are not kept (`1.50` is written `1.5`: the same number).
    static func exactDecimal(_ digits: String) -> Decimal? {
        let mantissa = digits.prefix { $0 != "e" && $0 != "E" }.filter(\.isNumber).drop { $0 == "0" }
        let significant = mantissa.reversed().drop { $0 == "0" }.count
        guard significant <= 38, let decimal = Decimal(string: digits), !decimal.isNaN, decimal.isFinite else { return nil }
        // What the encoder writes must read back as the number sent (a value Decimal cannot hold is refused).
        guard let written = Decimal(string: decimal.description), written == decimal, Double(decimal.description) != nil else {
            return nil
        }
        return decimal
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ key: String) { stringValue = key }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
