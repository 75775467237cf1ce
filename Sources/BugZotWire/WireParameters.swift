import BugZotDomain
import Foundation

/// A call's parameters, whatever transport brought them: for REST merged the way Bugzilla's REST
/// server merges them (path captures unioned with same-named query parameters, then the JSON body,
/// with query parameters overriding body keys); for WAMP a call's keyword arguments, its positional
/// ones being bug ids. Accessors are strict about shape — a single value, a list, or an
/// `{add, remove, set}` object, each only where the parameter takes one; anything else is error 53
/// naming the parameter — and lenient about scalars (ids as strings or numbers, booleans as
/// true/1/"True").
public struct WireParameters: Sendable {
    /// Every parameter by name, as merged.
    public private(set) var values: [String: JSONValue]

    /// REST's parameters: `path` captures, `query` items in their order, the JSON `body`.
    public init(path: [String: String] = [:], query: [(String, String)] = [], body: JSONObject = [:]) {
        var queryValues: [String: [String]] = [:]
        for (key, value) in query { queryValues[key, default: []].append(value) }
        func fromQuery(_ list: [String]) -> JSONValue {
            list.count == 1 ? .string(list[0]) : .array(list.map(JSONValue.string))
        }
        var merged: [String: JSONValue] = [:]
        for (key, value) in path {
            merged[key] = .array(([value] + queryValues[key, default: []]).map(JSONValue.string))
        }
        for (key, value) in body { merged[key] = value }
        for (key, list) in queryValues {
            merged[key] = path[key].map { .array(([$0] + list).map(JSONValue.string)) } ?? fromQuery(list)
        }
        values = merged
    }

    /// A WAMP call's parameters: its keyword `arguments` (`{"ids": [12], …}`), and its positional
    /// ones (`[12]`) as ids, before any the keywords name.
    public init(positional: [JSONValue], keywords: JSONObject) {
        var merged: [String: JSONValue] = [:]
        for (key, value) in keywords { merged[key] = value }
        if !positional.isEmpty {
            switch keywords["ids"] {
            case nil, .null?: merged["ids"] = .array(positional)
            case .array(let items)?: merged["ids"] = .array(positional + items)
            case let value?: merged["ids"] = .array(positional + [value])
            }
        }
        values = merged
    }

    /// The names of the parameters given.
    public var keys: Dictionary<String, JSONValue>.Keys { values.keys }

    /// Whether `key` is given and not null.
    public func has(_ key: String) -> Bool { values[key].map { !$0.isNull } ?? false }

    /// A single value as text (numbers and booleans as typed in a query); nil when absent or null.
    /// A list or an object is refused (53), never read as its first item or as absent.
    public func string(_ key: String) throws(DomainError) -> String? {
        guard let value = values[key] else { return nil }
        return try Self.scalarText(value, parameter: key)
    }

    /// A scalar or a list of scalars, as strings; a comma-separated string stays one item. An
    /// object, or a list holding lists or objects, is refused.
    public func strings(_ key: String) throws(DomainError) -> [String] {
        guard let value = values[key] else { return [] }
        return try Self.texts(value, parameter: key)
    }

    /// `strings` of each of `keys` in turn (a parameter's API and internal names).
    public func strings(_ keys: [String]) throws(DomainError) -> [String] {
        var result: [String] = []
        for key in keys { result += try strings(key) }
        return result
    }

    /// Like `strings`, but also splitting comma-separated items (`include_fields=a,b`).
    public func commaSeparated(_ key: String) throws(DomainError) -> [String] {
        try strings(key).flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
    }

    /// A single integer; nil when absent or null, error 52 when not a number.
    public func int(_ key: String) throws(DomainError) -> Int? {
        guard let text = try string(key) else { return nil }
        return try Self.integer(text, parameter: key)
    }

    /// `strings`, each an integer.
    public func ints(_ key: String) throws(DomainError) -> [Int] {
        var result: [Int] = []
        for text in try strings(key) { result.append(try Self.integer(text, parameter: key)) }
        return result
    }

    public func bool(_ key: String) throws(DomainError) -> Bool? {
        guard let value = values[key], !value.isNull else { return nil }
        return try Self.flag(value, parameter: key)
    }

    /// A boolean as clients send it: true/false, 1/0, or "True"/"1"/"yes" (and their opposites)
    /// in a query. Anything else is refused.
    public static func flag(_ value: JSONValue, parameter: String) throws(DomainError) -> Bool {
        if case .bool(let flag) = value { return flag }
        switch try scalarText(value, parameter: parameter)?.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off", "": return false
        default: throw .invalidParameter(parameter: parameter, reason: "must be true or false.")
        }
    }

    /// A string value that must be present and non-empty.
    public func required(_ key: String, function: String) throws(DomainError) -> String {
        guard let value = try string(key), !value.isEmpty else { throw .missingParameter(key, function: function) }
        return value
    }

    /// `{add, remove, set}`, or a plain list meaning `add` (as python-bugzilla sends cc). An
    /// object with other keys is refused.
    public func listEdit(_ key: String) throws(DomainError) -> ListEdit<String> {
        guard let value = values[key] else { return ListEdit() }
        guard case .object(let edit) = value else { return ListEdit(add: try Self.texts(value, parameter: key)) }
        if let unknown = edit.keys.sorted().first(where: { !["add", "remove", "set"].contains($0) }) {
            throw .invalidParameter(parameter: key, reason: "'\(unknown)' is not one of add, remove or set.")
        }
        func list(_ name: String) throws(DomainError) -> [String]? {
            try edit[name].map { value throws(DomainError) in try Self.texts(value, parameter: "\(key).\(name)") }
        }
        return ListEdit(add: try list("add") ?? [], remove: try list("remove") ?? [], set: try list("set"))
    }

    /// `listEdit` of integers (bug ids).
    public func intListEdit(_ key: String) throws(DomainError) -> ListEdit<Int> {
        let edit = try listEdit(key)
        func parse(_ texts: [String]) throws(DomainError) -> [Int] {
            var result: [Int] = []
            for text in texts { result.append(try Self.integer(text, parameter: key)) }
            return result
        }
        return ListEdit(add: try parse(edit.add), remove: try parse(edit.remove), set: try edit.set.map { texts throws(DomainError) in try parse(texts) })
    }

    /// An object of named values (`comment: {body, is_private}`), or nil when absent or null.
    public func object(_ key: String) throws(DomainError) -> JSONObject? {
        switch values[key] {
        case nil, .null?: return nil
        case .object(let object)?: return object
        default: throw .invalidParameter(parameter: key, reason: "must be an object.")
        }
    }

    /// Bugzilla's `include_fields` / `exclude_fields`.
    public var fieldFilter: FieldFilter {
        get throws(DomainError) {
            FieldFilter(include: try commaSeparated("include_fields"), exclude: try commaSeparated("exclude_fields"))
        }
    }

    /// A date or datetime in any common form (`2024-01-02`, `2024-01-02T03:04:05Z`, `2024-01-02 03:04:05`).
    public func date(_ key: String) throws(DomainError) -> Date? {
        guard let text = try string(key), !text.isEmpty else { return nil }
        guard let date = SearchDate.absolute(text) else { throw .illegalDate(Self.quoted(text)) }
        return date
    }

    private static func integer(_ text: String, parameter: String) throws(DomainError) -> Int {
        guard text.utf8.count <= 64, let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw .notNumeric(parameter: parameter, value: quoted(text))
        }
        return value
    }

    /// A bad value as an error quotes it: cut short, so a huge one doesn't make a huge answer.
    private static func quoted(_ text: String) -> String {
        text.utf8.count <= 64 ? text : String(text.prefix(64)) + "…"
    }

    private static func scalarText(_ value: JSONValue, parameter: String) throws(DomainError) -> String? {
        switch value {
        case .null: nil
        case .array: throw .invalidParameter(parameter: parameter, reason: "must be a single value, not a list.")
        case .object: throw .invalidParameter(parameter: parameter, reason: "must be a single value, not an object.")
        default: value.text
        }
    }

    private static func texts(_ value: JSONValue, parameter: String) throws(DomainError) -> [String] {
        switch value {
        case .null: return []
        case .array(let items):
            var result: [String] = []
            for item in items {
                guard let text = item.text else {
                    throw .invalidParameter(parameter: parameter, reason: "must be a list of single values.")
                }
                result.append(text)
            }
            return result
        case .object: throw .invalidParameter(parameter: parameter, reason: "must be a value or a list, not an object.")
        default: return value.text.map { [$0] } ?? []
        }
    }
}
