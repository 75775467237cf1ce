import Foundation

/// What kind of value a searched field holds.
public enum SearchValueKind: Sendable, Equatable {
    case text, number
    /// A moment (`creation_ts`, `delta_ts`): compared as a `SearchDate`.
    case time
    /// A day (`deadline`, `YYYY-MM-DD`): compared as a `SearchDate`'s day, or as text.
    case day
}

extension FieldCondition {
    /// Bugzilla's names (internal and API) of the fields holding moments and days.
    static let timeFields: Set<String> = ["creation_ts", "creation_time", "opendate", "delta_ts", "last_change_time", "changeddate"]
    static let dayFields: Set<String> = ["deadline"]
    static let comparisons: Set<SearchOperator> = [.equals, .notequals, .greaterthan, .greaterthaneq, .lessthan, .lessthaneq]

    /// The kind of value the condition's field holds (numbers are told by the store, which knows the column).
    public var valueKind: SearchValueKind {
        if Self.timeFields.contains(field) { return .time }
        if Self.dayFields.contains(field) { return .day }
        return .text
    }

    /// The condition's value as a date, for operators that compare dates (nil for the others).
    public var dateValue: SearchDate? {
        guard op == .changedbefore || op == .changedafter || (valueKind != .text && Self.comparisons.contains(op)) else { return nil }
        return SearchDate(value)
    }

    /// Refuses, naming `parameter`, a value the field and operator can't take: a date that is
    /// none (dates may be relative: `SearchDate`), a regular expression `SearchPattern` refuses,
    /// a text operator on a moment, or `changedby` without a person.
    public func check(parameter: String) throws(DomainError) {
        switch op {
        case .regexp, .notregexp:
            do {
                _ = try SearchPattern(value)
            } catch {
                if case .invalidParameter(_, let reason) = error { throw .invalidParameter(parameter: parameter, reason: reason) }
                throw error
            }
        case .changedbefore, .changedafter:
            guard SearchDate(value) != nil else { throw Self.notADate(value, parameter: parameter) }
        case .changedby:
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .invalidParameter(parameter: parameter, reason: "changedby needs the login of the person who made the change.")
            }
        case .changedfrom, .changedto, .isempty, .isnotempty:
            break
        default:
            guard valueKind != .text else { break }
            if Self.comparisons.contains(op) {
                guard SearchDate(value) != nil else { throw Self.notADate(value, parameter: parameter) }
            } else if valueKind == .time {
                throw .invalidParameter(
                    parameter: parameter,
                    reason: "'\(op.rawValue)' does not apply to \(field), a date: use equals, greaterthan, lessthan (or their -eq forms) with a date.")
            }
        }
    }

    private static func notADate(_ value: String, parameter: String) -> DomainError {
        let shown = value.count <= 64 ? value : String(value.prefix(64)) + "…"
        return .invalidParameter(parameter: parameter, reason: "'\(shown)' is not a date: use \(SearchDate.forms).")
    }
}
