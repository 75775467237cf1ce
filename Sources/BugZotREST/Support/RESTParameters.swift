import BugZotDomain
import Foundation

/// A call's parameters merged the way Bugzilla's REST server merges them: path captures unioned
/// with same-named query parameters, then the JSON body, with query parameters overriding body
/// keys. Accessors parse leniently (ids as strings or numbers, booleans as true/1/"True").
struct RESTParameters: Sendable {
    private(set) var values: [String: JSONValue]

    init(path: [String: String] = [:], query: [(String, String)] = [], body: [String: JSONValue] = [:]) {
        var queryValues: [String: [String]] = [:]
        for (key, value) in query { queryValues[key, default: []].append(value) }
        func fromQuery(_ list: [String]) -> JSONValue {
            list.count == 1 ? .string(list[0]) : .array(list.map(JSONValue.string))
        }
        var merged: [String: JSONValue] = [:]
        for (key, value) in path {
            merged[key] = .array(([value] + queryValues[key, default: []]).map(JSONValue.string))
        }
        merged.merge(body) { $1 }
        for (key, list) in queryValues {
            merged[key] = path[key].map { .array(([$0] + list).map(JSONValue.string)) } ?? fromQuery(list)
        }
        values = merged
    }

    var keys: Dictionary<String, JSONValue>.Keys { values.keys }

    func has(_ key: String) -> Bool { values[key].map { !$0.isNull } ?? false }

    subscript(key: String) -> JSONValue? { values[key] }

    /// The first present of several names for one parameter (`summary` / `short_desc`).
    func first(_ keys: [String]) -> JSONValue? {
        keys.lazy.compactMap { values[$0] }.first { !$0.isNull }
    }

    func string(_ key: String) -> String? { values[key].flatMap(Self.scalarText) }

    /// A scalar or a list, as strings; a comma-separated string stays one item.
    func strings(_ key: String) -> [String] { values[key].map(Self.texts) ?? [] }

    func strings(_ keys: [String]) -> [String] { keys.flatMap { strings($0) } }

    /// Like `strings`, but also splitting comma-separated items (`include_fields=a,b`).
    func commaSeparated(_ key: String) -> [String] {
        strings(key).flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
    }

    func int(_ key: String) throws(DomainError) -> Int? {
        guard let text = string(key) else { return nil }
        return try Self.integer(text, parameter: key)
    }

    func ints(_ key: String) throws(DomainError) -> [Int] {
        var result: [Int] = []
        for text in strings(key) { result.append(try Self.integer(text, parameter: key)) }
        return result
    }

    func bool(_ key: String) -> Bool? {
        values[key].flatMap(Self.flag)
    }

    /// A boolean as clients send it: true/false, 1/0, or "True"/"1"/"yes" in a query.
    static func flag(_ value: JSONValue) -> Bool? {
        if case .bool(let flag) = value { return flag }
        guard let text = scalarText(value)?.lowercased() else { return nil }
        return ["1", "true", "yes", "on"].contains(text)
    }

    /// A string value that must be present and non-empty.
    func required(_ key: String, function: String) throws(DomainError) -> String {
        guard let value = string(key), !value.isEmpty else { throw .missingParameter(key, function: function) }
        return value
    }

    /// `{add, remove, set}`, or a plain list meaning `add` (as python-bugzilla sends cc).
    func listEdit(_ key: String) -> ListEdit<String> {
        guard let value = values[key] else { return ListEdit() }
        if case .object(let edit) = value {
            return ListEdit(
                add: edit["add"].map(Self.texts) ?? [], remove: edit["remove"].map(Self.texts) ?? [],
                set: edit["set"].map(Self.texts))
        }
        return ListEdit(add: Self.texts(value))
    }

    func intListEdit(_ key: String) throws(DomainError) -> ListEdit<Int> {
        let edit = listEdit(key)
        func parse(_ texts: [String]) throws(DomainError) -> [Int] {
            var result: [Int] = []
            for text in texts { result.append(try Self.integer(text, parameter: key)) }
            return result
        }
        return ListEdit(add: try parse(edit.add), remove: try parse(edit.remove), set: try edit.set.map { texts throws(DomainError) in try parse(texts) })
    }

    /// A date or datetime in any common form (`2024-01-02`, `2024-01-02T03:04:05Z`, `2024-01-02 03:04:05`).
    func date(_ key: String) throws(DomainError) -> Date? {
        guard let text = string(key), !text.isEmpty else { return nil }
        guard let date = Self.parseDate(text) else { throw .illegalDate(text) }
        return date
    }

    static func parseDate(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let date = try? Date(trimmed, strategy: .iso8601) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyyMMdd'T'HH:mm:ss", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) { return date }
        }
        return nil
    }

    private static func integer(_ text: String, parameter: String) throws(DomainError) -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else { throw .notNumeric(parameter: parameter, value: text) }
        return value
    }

    private static func scalarText(_ value: JSONValue) -> String? {
        if case .array(let items) = value { return items.first.flatMap(scalarText) }
        return value.text
    }

    private static func texts(_ value: JSONValue) -> [String] {
        switch value {
        case .array(let items): items.compactMap(\.text)
        case .null: []
        default: value.text.map { [$0] } ?? []
        }
    }
}
