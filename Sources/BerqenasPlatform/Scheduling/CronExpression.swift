import Foundation

/// A five-field cron expression (minute, hour, day of month, month, day of week), evaluated in UTC.
///
/// Each field takes `*`, numbers, ranges `a-b`, steps `*/n` or `a-b/n`, and comma lists of these. Day of
/// week runs 0-7 (0 and 7 are Sunday). As in Vixie cron, when both day fields are restricted a day
/// matching either runs.
package struct CronExpression: Sendable, Hashable {
    package let text: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    /// Parses `text`; the error names the field that is wrong.
    package init(_ text: String) throws {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw PlatformError.validation(field: "cron", "needs five fields (minute hour day-of-month month day-of-week), got \(fields.count)")
        }
        self.text = fields.joined(separator: " ")
        minutes = try Self.field(fields[0], name: "minute", range: 0...59)
        hours = try Self.field(fields[1], name: "hour", range: 0...23)
        daysOfMonth = try Self.field(fields[2], name: "day of month", range: 1...31)
        months = try Self.field(fields[3], name: "month", range: 1...12)
        daysOfWeek = Set(try Self.field(fields[4], name: "day of week", range: 0...7).map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    private static func field(_ text: String, name: String, range: ClosedRange<Int>) throws -> Set<Int> {
        var values: Set<Int> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw invalid(name, text, range) }
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value > 0 else { throw invalid(name, text, range) }
                step = value
            }
            let span: ClosedRange<Int>
            if pieces[0] == "*" {
                span = range
            } else {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds.last ?? ""),
                    range.contains(low), range.contains(high), low <= high
                else { throw invalid(name, text, range) }
                // `a-b`, or `a/n` (from a to the field's end), or a single `a`.
                let upper = bounds.count == 2 ? high : (pieces.count == 2 ? range.upperBound : low)
                span = low...upper
            }
            values.formUnion(stride(from: span.lowerBound, through: span.upperBound, by: step))
        }
        return values
    }

    private static func invalid(_ name: String, _ text: String, _ range: ClosedRange<Int>) -> PlatformError {
        PlatformError.validation(
            field: "cron", "the \(name) field '\(text)' is not valid (values \(range.lowerBound)-\(range.upperBound), *, a-b, */n, lists)")
    }

    /// The first minute strictly after `date` that matches, or nil if none within five years.
    package func next(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(bySetting: .second, value: 0, of: date.addingTimeInterval(60)) ?? date
        var minute = calendar.dateInterval(of: .minute, for: start)?.start ?? start
        let limit = date.addingTimeInterval(5 * 366 * 86_400)
        while minute < limit {
            let parts = calendar.dateComponents([.month, .day, .weekday, .hour, .minute], from: minute)
            guard let month = parts.month, let day = parts.day, let weekday = parts.weekday, let hour = parts.hour,
                let minuteOfHour = parts.minute
            else { return nil }
            if !months.contains(month) {
                minute = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: minute)) ?? limit
                continue
            }
            let dayMatches =
                dayOfMonthRestricted && dayOfWeekRestricted
                ? daysOfMonth.contains(day) || daysOfWeek.contains(weekday - 1)
                : daysOfMonth.contains(day) && daysOfWeek.contains(weekday - 1)
            if !dayMatches {
                minute = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: minute)) ?? limit
                continue
            }
            if !hours.contains(hour) {
                minute = calendar.date(byAdding: .minute, value: 60 - minuteOfHour, to: minute) ?? limit
                continue
            }
            if minutes.contains(minuteOfHour) { return minute }
            minute = minute.addingTimeInterval(60)
        }
        return nil
    }
}
