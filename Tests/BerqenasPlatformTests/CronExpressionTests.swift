import BerqenasPlatform
import Foundation
import Testing

/// Five-field cron in UTC (pure).
@Suite struct CronExpressionTests {
    let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }()

    func next(_ cron: String, after text: String) throws -> String? {
        try CronExpression(cron).next(after: formatter.date(from: text)!).map(formatter.string)
    }

    @Test func rangesStepsAndListsFindTheNextMinute() throws {
        #expect(try next("*/15 * * * *", after: "2026-11-27T10:07:30Z") == "2026-11-27T10:15:00Z")
        #expect(try next("0 9-17/4 * * *", after: "2026-11-27T13:00:00Z") == "2026-11-27T17:00:00Z")
        #expect(try next("30 2 * * *", after: "2026-11-27T02:30:00Z") == "2026-11-28T02:30:00Z", "strictly after")
        #expect(try next("0 0 1,15 * *", after: "2026-11-27T00:00:00Z") == "2026-12-01T00:00:00Z")
        #expect(try next("0 12 * 2 *", after: "2026-11-27T00:00:00Z") == "2027-02-01T12:00:00Z")
        #expect(try next("5/20 * * * *", after: "2026-11-27T10:26:00Z") == "2026-11-27T10:45:00Z")
    }

    @Test func dayOfWeekAndDayOfMonthFollowVixieCron() throws {
        // 2026-11-27 is a Friday. Sunday is 0 and 7.
        #expect(try next("0 8 * * 0", after: "2026-11-27T00:00:00Z") == "2026-11-29T08:00:00Z")
        #expect(try next("0 8 * * 7", after: "2026-11-27T00:00:00Z") == "2026-11-29T08:00:00Z")
        #expect(try next("0 8 * * 1-5", after: "2026-11-27T09:00:00Z") == "2026-11-30T08:00:00Z")
        // Both restricted: either matches (the 1st, or a Monday).
        #expect(try next("0 0 1 * 1", after: "2026-11-27T00:00:00Z") == "2026-11-30T00:00:00Z")
        #expect(try next("0 0 31 2 *", after: "2026-11-27T00:00:00Z") == nil, "February 31st never comes")
    }

    @Test(arguments: ["* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "*/0 * * * *", "a * * * *", "5-1 * * * *"])
    func badExpressionsAreRefusedNamingCron(_ text: String) {
        let error = #expect(throws: PlatformError.self) { try CronExpression(text) }
        #expect(error?.message.hasPrefix("cron") == true)
    }
}
