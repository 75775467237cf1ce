import BugZotDomain
import VaporCSQLite
import Synchronization

/// SQLite's `X REGEXP Y` (which calls `regexp(Y, X)`), which SQLite leaves to the application:
/// BugZot's `SearchPattern`, linear in the text, with the last patterns compiled kept.
enum SQLiteRegexp {
    /// Patterns compiled, by source; emptied when it reaches `cacheSize`.
    private static let cache = Mutex<[String: SearchPattern]>([:])
    private static let cacheSize = 64

    /// Installs `regexp(pattern, text)` on `connection` (a `sqlite3*`).
    static func install(in connection: OpaquePointer) throws {
        let result = sqlite_nio_sqlite3_create_function_v2(
            connection, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil,
            { context, _, arguments in SQLiteRegexp.call(context, arguments) }, nil, nil, nil)
        guard result == SQLITE_OK else { throw SQLiteFailure(code: result, connection: connection) }
    }

    /// 1 when the text (a string, or a number as its digits) matches the pattern; 0 when it
    /// doesn't or either is of another type; an error for a pattern that is not valid.
    private static func call(_ context: OpaquePointer?, _ arguments: UnsafeMutablePointer<OpaquePointer?>?) {
        guard let source = arguments?[0], let subject = arguments?[1], sqlite_nio_sqlite3_value_type(source) == SQLITE_TEXT else {
            return sqlite_nio_sqlite3_result_int(context, 0)
        }
        let text: String
        switch sqlite_nio_sqlite3_value_type(subject) {
        case SQLITE_TEXT: text = string(subject)
        case SQLITE_INTEGER: text = String(sqlite_nio_sqlite3_value_int64(subject))
        default: return sqlite_nio_sqlite3_result_int(context, 0)
        }
        do {
            sqlite_nio_sqlite3_result_int(context, try pattern(string(source)).matches(text) ? 1 : 0)
        } catch {
            sqlite_nio_sqlite3_result_error(context, "\(error)", -1)
        }
    }

    private static func string(_ value: OpaquePointer) -> String {
        guard let bytes = sqlite_nio_sqlite3_value_text(value) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite_nio_sqlite3_value_bytes(value))), as: UTF8.self)
    }

    private static func pattern(_ source: String) throws -> SearchPattern {
        if let compiled = cache.withLock({ $0[source] }) { return compiled }
        let compiled = try SearchPattern(source)
        cache.withLock { cache in
            if cache.count >= cacheSize { cache.removeAll() }
            cache[source] = compiled
        }
        return compiled
    }
}
