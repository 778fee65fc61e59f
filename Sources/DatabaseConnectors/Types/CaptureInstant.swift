import Foundation

/// Capture times from any engine's log as microseconds since 1970-01-01 UTC, so `latest_wins` compares
/// instants, not texts: PostgreSQL writes `2024-01-02 01:04:05.678901+00:00`, SQLite
/// `2024-01-02T01:04:05.678Z`, SQL Server `2024-01-02 01:04:05.6789012 +00:00`.
package enum CaptureInstant {
    /// An instant as capture logs write it (UTC, microseconds): what a change seen only in a row's current
    /// state (a compare, not a log) is stamped with.
    package static func text(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = Date(timeIntervalSince1970: TimeInterval(micros / 1_000_000))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: seconds)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!,
            micros % 1_000_000)
    }

    /// The instant, or nil when the text is not an ISO 8601 timestamp with a zone.
    package static func microseconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for _ in 0..<digits {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
                index += 1
            }
            return value
        }
        func skip(_ allowed: Set<UInt8>) -> Bool {
            guard index < bytes.count, allowed.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip([45]), let month = number(2), skip([45]), let day = number(2),
            skip([32, 84]), let hour = number(2), skip([58]), let minute = number(2), skip([58]),
            let second = number(2)
        else { return nil }
        var fraction: Int64 = 0
        if skip([46]) {
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 6 { fraction = fraction * 10 + Int64(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            for _ in min(digits, 6)..<6 { fraction *= 10 }
        }
        _ = skip([32])
        var offsetMinutes: Int64 = 0
        if skip([90]) {
            offsetMinutes = 0
        } else if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 {
            let sign: Int64 = bytes[index] == 45 ? -1 : 1
            index += 1
            guard let hours = number(2) else { return nil }
            var minutes: Int64 = 0
            if skip([58]) {
                guard let value = number(2) else { return nil }
                minutes = value
            } else if let value = number(2) {
                minutes = value
            }
            offsetMinutes = sign * (hours * 60 + minutes)
        } else {
            return nil
        }
        let days = daysFromCivil(year, month, day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return seconds * 1_000_000 + fraction
    }

    /// Howard Hinnant's civil-to-days algorithm, counted from 1970-01-01.
    private static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
