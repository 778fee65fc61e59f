import Foundation

/// The JSON form of canonical values, the one every API of the hub shows and takes (docs/types.md): exact
/// decimals as JSON numbers with all their digits (never through a Double; `NaN` as a string), floats as
/// numbers (non-finite as strings), timestamps ISO 8601 with `T` (and the offset where the type has one),
/// binary as base64, uuids as lowercase strings, json as itself, intervals as ISO 8601 durations, arrays as
/// arrays.
package enum JSONForm {
    /// Appends the JSON form of `value`.
    package static func write(_ value: CanonicalValue, into out: inout [UInt8]) {
        switch value {
        case .null: out += Array("null".utf8)
        case let .boolean(flag): out += Array((flag ? "true" : "false").utf8)
        case let .integer(number): out += Array(String(number).utf8)
        case let .decimal(digits): JSONText.isNumber(digits) ? out += Array(digits.utf8) : JSONText.string(digits, into: &out)
        case let .float(number): number.isFinite ? out += Array(number.description.utf8) : JSONText.string(FloatText.render(number), into: &out)
        case let .text(text), let .xml(text), let .date(text), let .time(text), let .interval(text): JSONText.string(text, into: &out)
        case let .timestamp(text), let .timestampWithZone(text): JSONText.string(isoTimestamp(text), into: &out)
        case let .binary(bytes), let .geometry(bytes): JSONText.string(Data(bytes).base64EncodedString(), into: &out)
        case let .uuid(uuid): JSONText.string(UUIDText.lowercase(uuid), into: &out)
        case let .json(document): out += Array(document.utf8)
        case let .array(items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// The JSON form of `value` as a value (a stored json document that is not JSON shows as a string).
    package static func value(_ value: CanonicalValue) -> JSONValue {
        var out: [UInt8] = []
        write(value, into: &out)
        if let json = try? JSONValue.parse(out) { return json }
        if case let .json(document) = value { return .string(document) }
        return .string(String(decoding: out, as: UTF8.self))
    }

    /// `YYYY-MM-DD HH:MM:SS…` -> `YYYY-MM-DDTHH:MM:SS…` (infinity stays as it is).
    package static func isoTimestamp(_ text: String) -> String {
        guard text.count > 10, text[text.index(text.startIndex, offsetBy: 10)] == " " else { return text }
        var iso = text
        iso.replaceSubrange(iso.index(iso.startIndex, offsetBy: 10)...iso.index(iso.startIndex, offsetBy: 10), with: "T")
        return iso
    }
}
