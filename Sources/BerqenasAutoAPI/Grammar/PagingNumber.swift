/// Row counts and positions read from requests (`limit`, `offset`, `Range`, page sizes) on the management API
/// and the generated APIs alike: whole numbers from 0 to `maximum`, so that any sum or difference of a few of
/// them stays far inside `Int` and no request can make the hub's arithmetic overflow.
package enum PagingNumber {
    /// The largest row number a request may name (10^12 rows: more than any table the hub serves).
    package static let maximum = 1_000_000_000_000

    /// `text` as a row number: ASCII digits only (no sign, no spaces), at most `maximum`; nil otherwise.
    package static func parse<Text: StringProtocol>(_ text: Text) -> Int? {
        let digits = text.utf8
        guard !digits.isEmpty, digits.count <= 13, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int(text), value <= maximum
        else { return nil }
        return value
    }

    /// What a refused number's message says it must be.
    package static let expectation = "a whole number from 0 to \(maximum)"
}
