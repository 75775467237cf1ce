import Foundation

/// Formats dates the way RFC 5322 §3.3 wants them: `Tue, 01 Jul 2025 09:05:03 +0000`, always in
/// English and UTC, whatever the process's locale.
enum RFC5322Date {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()

    /// The date-time string for `date`.
    static func string(from date: Date) -> String {
        let parts = utcCalendar.dateComponents([.weekday, .day, .month, .year, .hour, .minute, .second], from: date)
        let weekday = weekdays[parts.weekday! - 1]
        let month = months[parts.month! - 1]
        return "\(weekday), \(twoDigits(parts.day!)) \(month) \(parts.year!) "
            + "\(twoDigits(parts.hour!)):\(twoDigits(parts.minute!)):\(twoDigits(parts.second!)) +0000"
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
