import VaporCSQLite

/// SQLite refused a call: its result code (extended, as the connection reports them) and message.
struct SQLiteFailure: Error, CustomStringConvertible {
    /// SQLite's extended result code (`SQLITE_BUSY_TIMEOUT`, `SQLITE_CONSTRAINT_UNIQUE`, …).
    let code: Int32
    /// What SQLite said.
    let message: String

    /// The failure `code` of a call on `connection` (a `sqlite3*`), with the connection's message.
    init(code: Int32, connection: OpaquePointer?) {
        self.code = code
        self.message = sqlite_nio_sqlite3_errmsg(connection).map { String(cString: $0) } ?? String(cString: sqlite_nio_sqlite3_errstr(code))
    }

    /// A failure of BugZot's own making (`code` says which kind).
    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// The outage this failure is, if it passes: a full disk, or a lock held too long.
    var outage: StorageUnavailable.Cause? {
        switch primaryCode {
        case SQLITE_FULL: .diskFull
        case SQLITE_BUSY, SQLITE_LOCKED: .databaseTimedOut
        default: nil
        }
    }

    /// The primary result code (`SQLITE_BUSY` for `SQLITE_BUSY_TIMEOUT`).
    var primaryCode: Int32 { code & 0xFF }

    var description: String { "SQLite error \(code): \(message)" }
}
