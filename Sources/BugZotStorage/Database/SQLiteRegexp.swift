import BugZotDomain
import SQLiteKit
import Synchronization

/// SQLite's `X REGEXP Y` (which calls `regexp(Y, X)`), which SQLite leaves to the application:
/// BugZot's `SearchPattern`, linear in the text, with the last patterns compiled kept.
enum SQLiteRegexp {
    /// Patterns compiled, by source; emptied when it reaches `cacheSize`.
    private static let cache = Mutex<[String: SearchPattern]>([:])
    private static let cacheSize = 64

    static let function = SQLiteCustomFunction("regexp", argumentCount: 2, pure: true) { arguments in
        guard case .text(let source) = arguments[0] else { return 0 }
        let text: String
        switch arguments[1] {
        case .text(let value): text = value
        case .integer(let value): text = String(value)
        default: return 0
        }
        return try pattern(source).matches(text) ? 1 : 0
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
