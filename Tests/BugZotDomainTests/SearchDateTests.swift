import BugZotDomain
import Foundation
import Testing

/// Dates as searches take them: absolute, `Now`, and Bugzilla's relative forms, in UTC.
@Suite("Search dates")
struct SearchDateTests {
    /// Wednesday 2024-05-15 10:30:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_715_769_000)

    static func at(_ text: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: SearchDate(text)!.date(relativeTo: now))
    }

    @Test("relative dates count back from now, by hours, days, weeks, months and years", arguments: [
        ("-3h", "2024-05-15 07:30:00"), ("-7d", "2024-05-08 10:30:00"), ("7d", "2024-05-08 10:30:00"),
        ("+1d", "2024-05-16 10:30:00"), ("-2w", "2024-05-01 10:30:00"), ("-1m", "2024-04-15 10:30:00"),
        ("-1y", "2023-05-15 10:30:00"), ("-0d", "2024-05-15 10:30:00"), ("-1D", "2024-05-14 10:30:00"),
    ])
    func relative(text: String, expected: String) {
        #expect(Self.at(text) == expected)
    }

    @Test("a trailing s counts from the start of the unit; Now is the start of today", arguments: [
        ("-1ds", "2024-05-14 00:00:00"), ("0ws", "2024-05-12 00:00:00"), ("-1ms", "2024-04-01 00:00:00"),
        ("-1ys", "2023-01-01 00:00:00"), ("-1hs", "2024-05-15 09:00:00"), ("Now", "2024-05-15 00:00:00"),
        ("now", "2024-05-15 00:00:00"),
    ])
    func fromStart(text: String, expected: String) {
        #expect(Self.at(text) == expected)
    }

    @Test("absolute dates and datetimes are read as UTC", arguments: [
        ("2024-01-02", "2024-01-02 00:00:00"), ("2024-01-02 03:04:05", "2024-01-02 03:04:05"),
        ("2024-01-02 03:04", "2024-01-02 03:04:00"), ("2024-01-02T03:04:05Z", "2024-01-02 03:04:05"),
    ])
    func absolute(text: String, expected: String) {
        #expect(Self.at(text) == expected)
    }

    @Test("a deadline compares as its day")
    func day() {
        #expect(SearchDate("-1d")!.day(relativeTo: Self.now) == "2024-05-14")
        #expect(SearchDate("2024-06-30 23:59:59")!.day(relativeTo: Self.now) == "2024-06-30")
    }

    @Test("anything else is no date", arguments: ["", "yesterday", "-7x", "7", "d", "-d", "--7d", "2024-13-45", "-1234567d", "12/31/2024"])
    func notADate(text: String) {
        #expect(SearchDate(text) == nil)
    }

    @Test("a comparison of a date field with no date is refused, naming the parameter and the forms")
    func refused() {
        let condition = FieldCondition(field: "creation_ts", op: .greaterthan, value: "last week")
        #expect {
            try condition.check(parameter: "v1")
        } throws: { error in
            guard case DomainError.invalidParameter(let parameter, let reason) = error else { return false }
            return parameter == "v1" && reason.contains("'last week' is not a date") && reason.contains("-7d")
        }
        #expect(throws: DomainError.self) { try FieldCondition(field: "delta_ts", op: .substring, value: "2024").check(parameter: "v1") }
        #expect(throws: DomainError.self) { try FieldCondition(field: "bug_status", op: .changedafter, value: "soon").check(parameter: "v1") }
        #expect(throws: DomainError.self) { try FieldCondition(field: "bug_status", op: .changedby, value: " ").check(parameter: "v1") }
        #expect(throws: Never.self) { try FieldCondition(field: "deadline", op: .substring, value: "2024-05").check(parameter: "v1") }
        #expect(throws: Never.self) { try FieldCondition(field: "delta_ts", op: .lessthan, value: "-2w").check(parameter: "v1") }
    }
}
