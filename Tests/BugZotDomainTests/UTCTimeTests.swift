import BugZotDomain
import Foundation
import Testing

/// Times as BugZot writes them (REST datetimes, pages), computed without a formatter: the same
/// text Foundation's UTC formatting gives, for every kind of day.
@Suite("UTC time text")
struct UTCTimeTests {
    static func formatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter
    }

    @Test("ISO 8601, date and minute forms match Foundation's from 1900 to 2200, leap days and year ends included")
    func matchesFoundation() {
        // A step that is no whole number of days or hours walks every time of day and day of year.
        var dates = stride(from: -2_208_988_800, to: 7_258_118_400, by: 1_000_003).map { Date(timeIntervalSince1970: TimeInterval($0)) }
        dates += ["2000-02-29", "1900-02-28", "1900-03-01", "2100-02-28", "2024-12-31", "1969-12-31", "1970-01-01"].map { day in
            Date(timeIntervalSince1970: TimeInterval(Int(ISO8601DateFormatter().date(from: day + "T23:59:59Z")!.timeIntervalSince1970)))
        }
        let (day, minute) = (Self.formatter("yyyy-MM-dd"), Self.formatter("yyyy-MM-dd HH:mm"))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for date in dates {
            let time = UTCTime(date)
            #expect(time.iso8601 == date.formatted(.iso8601))
            #expect(time.date == day.string(from: date))
            #expect(time.dateAndMinute == minute.string(from: date))
            #expect(time.weekday == calendar.component(.weekday, from: date))
        }
    }

    @Test("fractions of a second are dropped, before 1970 too")
    func fractions() {
        #expect(UTCTime(Date(timeIntervalSince1970: 1_715_769_000.999)).iso8601 == "2024-05-15T10:30:00Z")
        #expect(UTCTime(Date(timeIntervalSince1970: -0.5)).iso8601 == "1969-12-31T23:59:59Z")
        #expect(UTCTime(unixSeconds: 0).iso8601 == "1970-01-01T00:00:00Z")
    }
}
