/// PostgreSQL dates and timestamps in binary form (days or microseconds since 2000-01-01) written as the
/// exact text a UTC, ISO-DateStyle session prints, so binary reads and text row images yield the same
/// canonical values. These run once per cell of a snapshot copy: each renders into one string buffer.
enum PostgresTimestampText {
    private static let microsecondsPerDay: Int64 = 86_400_000_000
    /// Days from 0000-03-01 to 2000-01-01 in the proleptic Gregorian calendar.
    private static let epochShift: Int64 = 730_425

    /// `2024-06-30 07:04:56.123456`, with `+00:00` appended when `withZone` (the canonical offset form).
    static func render(_ microseconds: Int64, withZone: Bool) -> String {
        if microseconds == .max { return "infinity" }
        if microseconds == .min { return "-infinity" }
        var days = microseconds / microsecondsPerDay
        var timeOfDay = microseconds % microsecondsPerDay
        if timeOfDay < 0 {
            timeOfDay += microsecondsPerDay
            days -= 1
        }
        let (year, month, day) = civil(daysSinceEpoch: days)
        let seconds = timeOfDay / 1_000_000
        var fraction = timeOfDay % 1_000_000
        var fractionDigits = fraction == 0 ? 0 : 6
        while fractionDigits > 0, fraction % 10 == 0 {
            fraction /= 10
            fractionDigits -= 1
        }
        return String(unsafeUninitializedCapacity: 48) { output in
            var text = DigitCursor(output: output)
            text.date(year, month, day)
            text.put(UInt8(ascii: " "))
            text.digits(seconds / 3600, width: 2)
            text.put(UInt8(ascii: ":"))
            text.digits(seconds / 60 % 60, width: 2)
            text.put(UInt8(ascii: ":"))
            text.digits(seconds % 60, width: 2)
            if fractionDigits > 0 {
                text.put(UInt8(ascii: "."))
                text.digits(fraction, width: fractionDigits)
            }
            if withZone { text.put(year <= 0 ? "+00" : "+00:00") }
            if year <= 0 { text.put(" BC") }
            return text.position
        }
    }

    /// `2024-06-30` (`0044-03-15 BC` before year 1) for a binary date.
    static func renderDate(_ days: Int32) -> String {
        if days == .max { return "infinity" }
        if days == .min { return "-infinity" }
        let (year, month, day) = civil(daysSinceEpoch: Int64(days))
        return String(unsafeUninitializedCapacity: 16) { output in
            var text = DigitCursor(output: output)
            text.date(year, month, day)
            if year <= 0 { text.put(" BC") }
            return text.position
        }
    }

    /// Howard Hinnant's days-to-civil algorithm, counted from 2000-01-01.
    private static func civil(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + epochShift
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPosition = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPosition + 2) / 5 + 1
        let month = monthPosition < 10 ? monthPosition + 3 : monthPosition - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}

/// Writes ASCII into a preallocated string buffer.
private struct DigitCursor {
    let output: UnsafeMutableBufferPointer<UInt8>
    var position = 0

    mutating func put(_ byte: UInt8) {
        output[position] = byte
        position += 1
    }

    mutating func put(_ text: StaticString) {
        for index in 0..<text.utf8CodeUnitCount { put(text.utf8Start[index]) }
    }

    /// `value` in decimal, zero-padded to at least `width` digits.
    mutating func digits(_ value: Int64, width: Int) {
        var count = 1
        var rest = value / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        let total = max(count, width)
        var remaining = value
        for offset in stride(from: total - 1, through: 0, by: -1) {
            output[position + offset] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
        position += total
    }

    /// `YYYY-MM-DD`, the year counted ISO-style (1 BC is year 0, printed as 0001 with a BC suffix).
    mutating func date(_ year: Int64, _ month: Int64, _ day: Int64) {
        digits(year <= 0 ? 1 - year : year, width: 4)
        put(UInt8(ascii: "-"))
        digits(month, width: 2)
        put(UInt8(ascii: "-"))
        digits(day, width: 2)
    }
}
