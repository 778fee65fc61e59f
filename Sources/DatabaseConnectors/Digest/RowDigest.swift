import Crypto
import Foundation

/// A row's fingerprint for comparing tables without moving their rows: the first 8 bytes of the MD5 of
/// the row's digest text, as a signed 64-bit number. The digest text is the values' texts quoted as SQL
/// literals (PostgreSQL's `quote_nullable`: NULL bare, quotes and backslashes doubled) joined by commas,
/// so no two different rows share one.
///
/// A database that computes digests itself (PostgreSQL) spells the same text in SQL. Where its text of a
/// value differs from the one here (a type with no common spelling), equal rows give different digests:
/// a comparison then looks at those rows one by one, so the mismatch costs time, never a wrong answer.
package enum RowDigest {
    /// The digest of a row's values, in the order of the columns compared.
    package static func of(_ values: [CanonicalValue]) -> Int64 {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 16)
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            appendField(value, to: &bytes)
        }
        let hash = Insecure.MD5.hash(data: bytes)
        var number: UInt64 = 0
        for byte in hash.prefix(8) { number = number << 8 | UInt64(byte) }
        return Int64(bitPattern: number)
    }

    /// One value as PostgreSQL's `quote_nullable` writes its digest text.
    static func field(_ value: CanonicalValue) -> String {
        var bytes: [UInt8] = []
        appendField(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends a value's digest text: NULL bare, otherwise quoted with quotes doubled; with a backslash in
    /// it, backslashes doubled too and an `E` in front (what `quote_nullable` does).
    private static func appendField(_ value: CanonicalValue, to bytes: inout [UInt8]) {
        guard let text = text(value) else {
            bytes += Array("NULL".utf8)
            return
        }
        let quote = UInt8(ascii: "'")
        let backslash = UInt8(ascii: "\\")
        let utf8 = text.utf8
        if utf8.contains(backslash) { bytes.append(UInt8(ascii: "E")) }
        bytes.append(quote)
        for byte in utf8 {
            if byte == quote || byte == backslash { bytes.append(byte) }
            bytes.append(byte)
        }
        bytes.append(quote)
    }

    /// The digest text of a value (nil: NULL). Instants are microseconds since 1970 (so offsets and
    /// fractional digits do not matter), floats their bit pattern, bytes lowercase hex.
    static func text(_ value: CanonicalValue) -> String? {
        switch value {
        case .null: return nil
        case let .boolean(flag): return flag ? "t" : "f"
        case let .integer(number): return String(number)
        case let .float(number): return hex(withUnsafeBytes(of: number.bitPattern.bigEndian) { Array($0) })
        case let .binary(bytes), let .geometry(bytes): return hex(bytes)
        case let .uuid(uuid): return uuid.uuidString.lowercased()
        case let .timestamp(text): return CaptureInstant.microseconds(text + "+00:00").map(String.init) ?? text
        case let .timestampWithZone(text): return CaptureInstant.microseconds(text).map(String.init) ?? text
        case let .decimal(text), let .text(text), let .date(text), let .time(text), let .interval(text), let .json(text), let .xml(text):
            return text
        case let .array(values): return "{" + values.map(field).joined(separator: ",") + "}"
        }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// How many rows a key range holds and the sum of their digests (exact, as decimal text).
package struct RangeDigest: Sendable, Hashable {
    package var rows: Int
    package var sum: String

    /// Creates a digest.
    package init(rows: Int, sum: String) {
        self.rows = rows
        self.sum = sum
    }

    /// Folds rows' digests, as a database's `count(*)` and `sum(...)` do.
    package init(digests: [Int64]) {
        rows = digests.count
        var total: Int128 = 0
        for digest in digests { total += Int128(digest) }
        sum = String(total)
    }
}
