import NIOCore
import SQLKit
import SQLiteKit
import VaporCSQLite  // the SQLite that sqlite-nio bundles (FTS5 included): one copy of SQLite in the process

/// One prepared SQLite statement of a `SQLiteFileConnection`, kept to run again: SQLite parses
/// and plans it once, and each run only binds, steps and resets it. The names of its columns are
/// read once too, and again only after SQLite has prepared it anew for a changed schema.
///
/// `@unchecked Sendable`: a statement is used by one call at a time (the connection hands it to
/// one call and takes it back), on the connection's thread pool.
final class SQLiteStatement: @unchecked Sendable {
    /// The SQL it was prepared from (its key among the connection's statements).
    let sql: String
    private let handle: OpaquePointer
    private let connection: OpaquePointer
    private var columns: SQLiteColumns?
    /// How many times SQLite had prepared it anew when `columns` were read.
    private var columnsPrepareCount: Int32 = 0

    /// Prepares `sql` on `connection` (a `sqlite3*`).
    init(sql: String, connection: OpaquePointer) throws {
        var handle: OpaquePointer?
        let result = sqlite_nio_sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard result == SQLITE_OK, let handle else {
            throw SQLiteFailure(code: result, connection: connection)
        }
        self.sql = sql
        self.handle = handle
        self.connection = connection
    }

    deinit {
        sqlite_nio_sqlite3_finalize(handle)
    }

    /// Binds `values`, steps through every row (handing each to `onRow`) and resets the statement,
    /// so that it holds no snapshot of the database between runs.
    func run(binding values: [SQLiteData], decoder: SQLiteDataDecoder, _ onRow: (any SQLRow) -> Void) throws {
        defer {
            sqlite_nio_sqlite3_reset(handle)
            sqlite_nio_sqlite3_clear_bindings(handle)
        }
        for (index, value) in values.enumerated() {
            try bind(value, at: Int32(index + 1))
        }
        while true {
            let result = sqlite_nio_sqlite3_step(handle)
            switch result {
            case SQLITE_ROW:
                let columns = currentColumns()
                var row: [SQLiteData] = []
                row.reserveCapacity(columns.names.count)
                for index in 0..<Int32(columns.names.count) {
                    row.append(try value(at: index))
                }
                onRow(SQLiteResultRow(columns: columns, values: row, decoder: decoder))
            case SQLITE_DONE:
                return
            default:
                throw SQLiteFailure(code: result, connection: connection)
            }
        }
    }

    /// The columns' names as this run's rows carry them (read after the first step, when SQLite
    /// has already prepared the statement anew if the schema changed).
    private func currentColumns() -> SQLiteColumns {
        let prepares = sqlite_nio_sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_REPREPARE, 0)
        if let columns, prepares == columnsPrepareCount { return columns }
        let count = sqlite_nio_sqlite3_column_count(handle)
        let names = (0..<count).map { index in sqlite_nio_sqlite3_column_name(handle, index).map { String(cString: $0) } ?? "" }
        let columns = SQLiteColumns(names: names)
        self.columns = columns
        columnsPrepareCount = prepares
        return columns
    }

    private func bind(_ value: SQLiteData, at index: Int32) throws {
        let result: Int32
        switch value {
        case .integer(let integer):
            result = sqlite_nio_sqlite3_bind_int64(handle, index, Int64(integer))
        case .float(let double):
            result = sqlite_nio_sqlite3_bind_double(handle, index, double)
        case .text(let text):
            var text = text
            result = text.withUTF8 { bytes in
                sqlite_nio_sqlite3_bind_text64(handle, index, bytes.baseAddress, UInt64(bytes.count), sqliteTransient, UInt8(SQLITE_UTF8))
            }
        case .blob(let blob):
            result = blob.withUnsafeReadableBytes { bytes in
                sqlite_nio_sqlite3_bind_blob64(handle, index, bytes.baseAddress, UInt64(bytes.count), sqliteTransient)
            }
        case .null:
            result = sqlite_nio_sqlite3_bind_null(handle, index)
        }
        guard result == SQLITE_OK else { throw SQLiteFailure(code: result, connection: connection) }
    }

    private func value(at index: Int32) throws -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER:
            return .integer(Int(sqlite_nio_sqlite3_column_int64(handle, index)))
        case SQLITE_FLOAT:
            return .float(sqlite_nio_sqlite3_column_double(handle, index))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(handle, index) else { return .text("") }
            let count = Int(sqlite_nio_sqlite3_column_bytes(handle, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(handle, index))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(handle, index) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default:
            return .null
        }
    }
}

/// SQLite copies a bound text or blob before the bind returns (`SQLITE_TRANSIENT`, a macro Swift can't import).
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// The column names of a statement's rows, and where each name is (the first of a repeated one).
/// A row's values are looked up by name for every column of every row, so the names are found
/// through a table of their own, hashed with FNV-1a over the name's bytes: far cheaper for
/// short names than a `Dictionary`'s seeded SipHash.
final class SQLiteColumns: Sendable {
    /// The names in the order of the row's values.
    let names: [String]
    /// Open addressing: each slot holds a name's position + 1, or 0 when empty. At least twice as
    /// many slots as names (a power of two), so a name is found in a probe or two.
    private let slots: [Int]

    /// The columns named `names`, in that order.
    init(names: [String]) {
        self.names = names
        var count = 4
        while count < names.count * 2 { count *= 2 }
        var slots = [Int](repeating: 0, count: count)
        for (position, name) in names.enumerated() {
            var slot = Self.hash(name) & (count - 1)
            while slots[slot] != 0, names[slots[slot] - 1] != name { slot = (slot + 1) & (count - 1) }
            if slots[slot] == 0 { slots[slot] = position + 1 }
        }
        self.slots = slots
    }

    /// Where the column `name` is, or nil when the rows have none.
    func position(of name: String) -> Int? {
        var slot = Self.hash(name) & (slots.count - 1)
        while slots[slot] != 0 {
            if names[slots[slot] - 1] == name { return slots[slot] - 1 }
            slot = (slot + 1) & (slots.count - 1)
        }
        return nil
    }

    private static func hash(_ name: String) -> Int {
        var name = name
        let hash = name.withUTF8 { bytes in
            bytes.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 32))
    }
}

/// A row of a `SQLiteStatement`, decoded as SQLiteKit decodes its rows.
struct SQLiteResultRow: SQLRow {
    /// The names of the values, shared by every row of the statement's run.
    let columns: SQLiteColumns
    /// The row's values, in the order of `columns`.
    let values: [SQLiteData]
    /// What turns a value into any other `Decodable` type.
    let decoder: SQLiteDataDecoder

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.position(of: column) != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let position = columns.position(of: column) else { return true }
        return values[position].isNull
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let position = columns.position(of: column) else { throw SQLiteMissingColumn(column: column) }
        let value = values[position]
        return try Self.converted(value, to: D.self) ?? decoder.decode(D.self, from: value)
    }

    /// The types rows are read as nearly always (`Int`, `String`, `Bool` and their optionals),
    /// converted as `SQLiteDataDecoder` converts them, without its dynamic casts and, for an
    /// optional, its nested decoder; nil for other types and for values these don't take (left to
    /// the decoder, which says why).
    private static func converted<D>(_ value: SQLiteData, to type: D.Type) -> D? {
        if D.self == Int.self { return Int(sqliteData: value) as? D }
        if D.self == String.self { return String(sqliteData: value) as? D }
        if D.self == Bool.self { return Bool(sqliteData: value) as? D }
        if D.self == Int?.self { return value.isNull ? Int?.none as? D : Int(sqliteData: value).flatMap { Int?.some($0) as? D } }
        if D.self == String?.self { return value.isNull ? String?.none as? D : String(sqliteData: value).flatMap { String?.some($0) as? D } }
        return nil
    }
}

/// A row was asked for a column its statement does not return.
struct SQLiteMissingColumn: Error, CustomStringConvertible {
    /// The name asked for.
    let column: String
    var description: String { "No column \(column) in the row" }
}
