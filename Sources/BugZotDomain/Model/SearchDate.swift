import Foundation

/// A date as Bugzilla's searches take it: absolute (`2024-01-02`, `2024-01-02 03:04:05`,
/// `2024-01-02T03:04:05Z`), `Now` (the start of today, as Bugzilla has it), or relative to now —
/// `-7d` (seven days ago), `-2w`, `-1m`, `-1y`, `-3h`, `+1d` (tomorrow); without a sign, in the
/// past. A trailing `s` counts from the start of the unit: `-1ds` is yesterday at 00:00, `0ws`
/// the start of this week (Sunday), `-1ms` the first of last month. Times are UTC.
public enum SearchDate: Sendable, Equatable {
    case absolute(Date)
    case relative(amount: Int, unit: Unit, fromStart: Bool)

    /// The units of a relative date.
    public enum Unit: Character, Sendable {
        case hour = "h", day = "d", week = "w", month = "m", year = "y"
    }

    /// The forms a date may take, for error messages.
    public static let forms = "YYYY-MM-DD, YYYY-MM-DD HH:MM:SS, Now, or a relative date such as -7d, -2w, -1m, -1y or -3h"

    /// `text` as a date, or nil when it is none of the accepted forms.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 64 else { return nil }
        if trimmed.lowercased() == "now" {
            self = .relative(amount: 0, unit: .day, fromStart: true)
            return
        }
        if let relative = Self.relative(trimmed) {
            self = relative
        } else if let date = Self.absolute(trimmed) {
            self = .absolute(date)
        } else {
            return nil
        }
    }

    /// `[-+]N(h|d|w|m|y)[s]`, case-insensitive.
    private static func relative(_ text: String) -> SearchDate? {
        var rest = Substring(text.lowercased())
        var sign = -1
        if let first = rest.first, first == "-" || first == "+" {
            sign = first == "+" ? 1 : -1
            rest = rest.dropFirst()
        }
        let fromStart = rest.count > 1 && rest.last == "s"
        if fromStart { rest = rest.dropLast() }
        guard let unitCharacter = rest.last, let unit = Unit(rawValue: unitCharacter) else { return nil }
        let digits = rest.dropLast()
        guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let amount = Int(digits) else {
            return nil
        }
        return .relative(amount: sign * amount, unit: unit, fromStart: fromStart)
    }

    /// An absolute date or datetime in UTC: ISO 8601, `YYYY-MM-DD HH:MM[:SS]`, `YYYYMMDDTHH:MM:SS` or `YYYY-MM-DD`.
    public static func absolute(_ text: String) -> Date? {
        guard text.utf8.count <= 64 else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let date = try? Date(trimmed, strategy: .iso8601) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyyMMdd'T'HH:mm:ss", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) { return date }
        }
        return nil
    }

    /// The moment this date names, `now` being the current time.
    public func date(relativeTo now: Date) -> Date {
        guard case .relative(let amount, let unit, let fromStart) = self else {
            if case .absolute(let date) = self { return date }
            return now
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        calendar.firstWeekday = 1  // Sunday, as Bugzilla counts weeks
        let component: Calendar.Component = switch unit {
        case .hour: .hour
        case .day: .day
        case .week: .weekOfYear
        case .month: .month
        case .year: .year
        }
        var start = now
        if fromStart {
            let interval: Calendar.Component = unit == .week ? .weekOfYear : component
            start = calendar.dateInterval(of: interval, for: now)?.start ?? now
        }
        return calendar.date(byAdding: component, value: amount, to: start) ?? start
    }

    /// `date(relativeTo:)` as Unix seconds, as the database keeps times.
    public func unixSeconds(relativeTo now: Date) -> Int {
        Int(date(relativeTo: now).timeIntervalSince1970.rounded(.down))
    }

    /// `date(relativeTo:)` as `YYYY-MM-DD` (UTC), as the database keeps deadlines.
    public func day(relativeTo now: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date(relativeTo: now))
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
