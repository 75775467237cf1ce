import Foundation

/// A moment's calendar fields in UTC (proleptic Gregorian calendar, whole seconds, fractions
/// dropped), by arithmetic on Unix seconds: every text form of a time that BugZot writes —
/// REST, pages, mail — comes from here, without a formatter, a calendar or a locale.
public struct UTCTime: Sendable, Equatable {
    public let year: Int
    /// 1–12.
    public let month: Int
    /// 1–31.
    public let day: Int
    public let hour: Int
    public let minute: Int
    public let second: Int
    /// 1 (Sunday) – 7 (Saturday), as `Calendar` counts weekdays.
    public let weekday: Int

    public init(_ date: Date) {
        self.init(unixSeconds: Int(date.timeIntervalSince1970.rounded(.down)))
    }

    public init(unixSeconds: Int) {
        let (days, secondOfDay) = Self.floorDivision(unixSeconds, 86_400)
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        // 1970-01-01 was a Thursday (5).
        weekday = Self.floorDivision(days + 4, 7).remainder + 1
        // Days to civil date, counting in 400-year eras that start on 0000-03-01.
        let (era, _) = Self.floorDivision(days + 719_468, 146_097)
        let dayOfEra = days + 719_468 - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153  // 0 = March
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// `2024-01-02T03:04:05Z`: ISO 8601 as Bugzilla writes datetimes.
    public var iso8601: String { text("Y-M-DTh:m:sZ") }

    /// `2024-01-02`.
    public var date: String { text("Y-M-D") }

    /// `2024-01-02 03:04`.
    public var dateAndMinute: String { text("Y-M-D h:m") }

    /// The fields laid out as `layout` says: `Y` the year (at least four digits), `M` `D` `h` `m`
    /// `s` month, day, hour, minute and second (two digits each); any other character as it is.
    private func text(_ layout: StaticString) -> String {
        String(unsafeUninitializedCapacity: layout.utf8CodeUnitCount + 20) { output in
            var count = 0
            func put(_ byte: UInt8) {
                output[count] = byte
                count += 1
            }
            func put(_ value: Int, width: Int) {
                if value < 0 { put(UInt8(ascii: "-")) }
                var digits = 1
                var rest = value.magnitude / 10
                while rest > 0 {
                    digits += 1
                    rest /= 10
                }
                digits = max(digits, width)
                var magnitude = value.magnitude
                for place in stride(from: digits - 1, through: 0, by: -1) {
                    output[count + place] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                }
                count += digits
            }
            let start = layout.utf8Start
            for index in 0..<layout.utf8CodeUnitCount {
                switch start[index] {
                case UInt8(ascii: "Y"): put(year, width: 4)
                case UInt8(ascii: "M"): put(month, width: 2)
                case UInt8(ascii: "D"): put(day, width: 2)
                case UInt8(ascii: "h"): put(hour, width: 2)
                case UInt8(ascii: "m"): put(minute, width: 2)
                case UInt8(ascii: "s"): put(second, width: 2)
                case let byte: put(byte)
                }
            }
            return count
        }
    }

    private static func floorDivision(_ value: Int, _ divisor: Int) -> (quotient: Int, remainder: Int) {
        let remainder = (value % divisor + divisor) % divisor
        return ((value - remainder) / divisor, remainder)
    }
}
