import Testing

@testable import BerqenasAutoAPI

/// Request bodies are read as strict JSON (RFC 8259): what PostgREST refuses with 400 PGRST102 is refused
/// here too, never read as something else.
struct JSONBodyTests {
    static func refused(_ bytes: [UInt8]) -> Bool {
        do {
            _ = try JSONBody.parse(bytes)
            return false
        } catch let error as AutoAPIError {
            return error.status == 400 && error.code == "PGRST102"
        } catch {
            return false
        }
    }

    @Test func numbersWithLeadingZerosAreRefused() throws {
        for text in ["01", "-01", "00", "[1, 007]", #"{"n": 0123.5}"#] {
            #expect(Self.refused(Array(text.utf8)), "\(text)")
        }
        for text in ["0", "-0", "0.5", "-0.5e3", "10", "100"] {
            #expect(try JSONBody.parse(Array(text.utf8)) == .number(text))
        }
    }

    @Test func unicodeEscapesTakeFourHexDigitsExactly() throws {
        for text in [#""\u+041""#, #""\u-041""#, #""\u 041""#, #""\u04""#, #""\uDC00""#, #""\uD83D""#] {
            #expect(Self.refused(Array(text.utf8)), "\(text)")
        }
        #expect(try JSONBody.parse(Array(#""\u0041\u00e9\ud83d\ude42""#.utf8)) == .string("Aé🙂"))
    }

    @Test func bytesThatAreNotUTF8AreRefused() throws {
        let quote = UInt8(ascii: "\"")
        for bytes: [UInt8] in [[quote, 0xFF, quote], [quote, 0xC3, quote], [quote, 0xC0, 0xAF, quote], [quote, 0xED, 0xA0, 0x80, quote]] {
            #expect(Self.refused(bytes), "\(bytes)")
        }
        #expect(try JSONBody.parse([quote, 0xC3, 0xBC, quote]) == .string("ü"))
    }
}
