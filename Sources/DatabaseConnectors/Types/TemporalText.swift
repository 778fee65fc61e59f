/// Small normalizations of temporal text shared by the engines.
package enum TemporalText {
    /// `…+05` -> `…+05:00`, `…-0330` -> `…-03:30`; text without an offset is returned unchanged.
    package static func normalizeOffset(_ text: String) -> String {
        // Fast path for what a UTC session prints.
        if text.hasSuffix("+00") { return text + ":00" }
        if text.hasSuffix("+00:00") { return text }
        let bytes = Array(text.utf8)
        // The offset sign comes after the time part (position >= 8 avoids the date's hyphens).
        guard
            let signIndex = bytes.indices.reversed().first(where: {
                $0 >= 8 && (bytes[$0] == UInt8(ascii: "+") || bytes[$0] == UInt8(ascii: "-"))
            })
        else { return text }
        let head = String(decoding: bytes[..<signIndex], as: UTF8.self)
        let sign = String(UnicodeScalar(bytes[signIndex]))
        let digits = String(decoding: bytes[(signIndex + 1)...], as: UTF8.self).replacingOccurrences(of: ":", with: "")
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy(\.isNumber) else { return text }
        let hours = digits.prefix(2)
        let minutes = digits.count == 4 ? String(digits.suffix(2)) : "00"
        return "\(head)\(sign)\(hours):\(minutes)"
    }
}
