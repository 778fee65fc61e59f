/// PostgreSQL timestamps in binary form (microseconds since 2000-01-01) written as the exact text a UTC
/// session prints, so binary reads and text row images yield the same canonical values.
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
        let fraction = timeOfDay % 1_000_000
        var text = pad(year <= 0 ? 1 - year : year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + " "
            + pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
        if fraction > 0 {
            var digits = pad(fraction, 6)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        if withZone { text += year <= 0 ? "+00" : "+00:00" }
        if year <= 0 { text += " BC" }
        return text
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

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
