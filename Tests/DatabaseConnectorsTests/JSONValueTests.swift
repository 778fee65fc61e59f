import Foundation
import Testing

@testable import DatabaseConnectors

/// JSON text is read strictly (RFC 8259): what PostgREST refuses with 400 PGRST102 is refused here too, never
/// read as something else; numbers keep their digits through parsing, `Codable` and the JSON form of values.
struct JSONValueTests {
    static func refused(_ bytes: [UInt8]) -> Bool {
        (try? JSONValue.parse(bytes)) == nil
    }

    @Test func numbersWithLeadingZerosAreRefused() throws {
        for text in ["01", "-01", "00", "[1, 007]", #"{"n": 0123.5}"#, "+1", ".5", "1.", "1e"] {
            #expect(Self.refused(Array(text.utf8)), "\(text)")
        }
        for text in ["0", "-0", "0.5", "-0.5e3", "10", "100", "12345678901234567890123456789012345678901234.5"] {
            #expect(try JSONValue.parse(text) == .number(text))
        }
    }

    @Test func unicodeEscapesTakeFourHexDigitsExactly() throws {
        for text in [#""\u+041""#, #""\u-041""#, #""\u 041""#, #""\u04""#, #""\uDC00""#, #""\uD83D""#] {
            #expect(Self.refused(Array(text.utf8)), "\(text)")
        }
        #expect(try JSONValue.parse(#""\u0041\u00e9\ud83d\ude42""#) == .string("Aé🙂"))
    }

    @Test func bytesThatAreNotUTF8AreRefused() throws {
        let quote = UInt8(ascii: "\"")
        for bytes: [UInt8] in [[quote, 0xFF, quote], [quote, 0xC3, quote], [quote, 0xC0, 0xAF, quote], [quote, 0xED, 0xA0, 0x80, quote]] {
            #expect(Self.refused(bytes), "\(bytes)")
        }
        #expect(try JSONValue.parse([quote, 0xC3, 0xBC, quote]) == .string("ü"))
    }

    @Test func errorsSayWhereReadingStopped() {
        #expect(throws: JSONSyntaxError(message: "',' or '}' was expected", offset: 8)) { try JSONValue.parse(#"{"a": 1 "b": 2}"#) }
        #expect(throws: JSONSyntaxError(message: "the array is not closed", offset: 2)) { try JSONValue.parse("[1") }
        let deep = String(repeating: "[", count: JSONValue.maxDepth + 1) + String(repeating: "]", count: JSONValue.maxDepth + 1)
        #expect(Self.refused(Array(deep.utf8)))
    }

    @Test func objectsKeepTheirKeysInOrderAndTextRoundTrips() throws {
        let text = #"{"z":1,"a":[true,null,"x\"y"],"m":{"k":-2.50e+3}}"#
        let value = try JSONValue.parse(text)
        #expect(value.text == text)
        #expect(value["a"] == .array([.bool(true), .null, .string("x\"y")]))
        #expect(value["missing"] == nil)
    }

    /// Swift's coders carry numbers through Int64, Decimal or Double: each number goes through one that keeps
    /// it, and one that none keeps is written as its digits in a string (which decimal columns take).
    @Test func codableKeepsEveryNumberItCanAndNeverRoundsOne() throws {
        let sent: [String] = ["12", "-9223372036854775808", "12345678901234567890.123", "0.1", "1.7976931348623157e+308", "5e-324"]
        let long = "1234567890123456789012345678901234567890.5"
        let encoded = try JSONEncoder().encode(JSONValue.array((sent + [long]).map(JSONValue.number)))
        let back = try JSONValue.parse(Array(encoded))
        guard case let .array(items) = back else { throw Failure("not an array: \(back.text)") }
        for (original, item) in zip(sent, items) {
            guard case let .number(digits) = item else { throw Failure("\(original) came back as \(item.text)") }
            #expect(Decimal(string: digits) == Decimal(string: original) || Double(digits) == Double(original), "\(original) -> \(digits)")
        }
        #expect(items.last == .string(long))
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"b": [1, 2.5, "t", null, false], "a": {}}"#.utf8))
        #expect(decoded == .object([("a", .object([])), ("b", .array([.number("1"), .number("2.5"), .string("t"), .null, .bool(false)]))]))
    }

    /// What `JSONForm` writes, it reads back as the same canonical value.
    @Test func theJSONFormOfEveryKindReadsBackAsTheSameValue() throws {
        let uuid = UUID()
        let cases: [(CanonicalValue, CanonicalType, String)] = [
            (.integer(-42), .integer(bits: 64), "-42"),
            (
                .decimal("12345678901234567890123456789012345678901234.50"), .decimal(precision: nil, scale: nil),
                "12345678901234567890123456789012345678901234.50"
            ),
            (.decimal("NaN"), .decimal(precision: nil, scale: nil), #""NaN""#),
            (.float(0.1), .float(bits: 64), "0.1"),
            (.float(.infinity), .float(bits: 64), #""Infinity""#),
            (.boolean(true), .boolean, "true"),
            (.binary([0, 255, 16]), .binary(length: nil, fixed: false), #""AP8Q""#),
            (.uuid(uuid), .uuid, "\"\(uuid.uuidString.lowercased())\""),
            (
                .timestampWithZone("2024-05-06 05:08:09.123456+00:00"), .timestamp(precision: 6, withZone: true),
                #""2024-05-06T05:08:09.123456+00:00""#
            ),
            (.json(#"{"a":[1,2.50]}"#), .json(binary: true), #"{"a":[1,2.50]}"#),
            (.array([.integer(1), .null]), .array(of: .integer(bits: 32)), "[1,null]"),
        ]
        for (value, type, text) in cases {
            var out: [UInt8] = []
            JSONForm.write(value, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == text)
            let json = JSONForm.value(value)
            #expect(json.text == text)
            let back = try JSONForm.canonical(json, type: type, column: "c")
            if case .timestampWithZone = value {
                #expect(back == .timestampWithZone("2024-05-06T05:08:09.123456+00:00"))
            } else if case let .float(number) = value, case let .float(read) = back {
                #expect(number == read)
            } else {
                #expect(back == value)
            }
        }
    }

    @Test func valuesThatDoNotFitTheColumnNameIt() {
        #expect(throws: JSONForm.Mismatch(column: "qty", expected: "an integer", got: #""ten""#)) {
            try JSONForm.canonical(.string("ten"), type: .integer(bits: 32), column: "qty")
        }
        #expect(throws: JSONForm.Mismatch(column: "price", expected: "a decimal number", got: #""1,50""#)) {
            try JSONForm.canonical(.string("1,50"), type: .decimal(precision: 10, scale: 2), column: "price")
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
