import Foundation
import Logging
import NIOCore
import PostgresNIO
import SQLKit

/// One value of a row written in bulk.
enum BulkValue: Sendable {
    case int(Int)
    case text(String)
    case bool(Bool)
    case null
}

/// Rows for one table, written together by a `BulkWriter`.
struct BulkRows: Sendable {
    let table: String
    let columns: [String]
    /// Row after row, `columns.count` values each.
    private(set) var values: [BulkValue] = []

    init(_ table: String, _ columns: [String]) {
        self.table = table
        self.columns = columns
    }

    var isEmpty: Bool { values.isEmpty }

    /// Adds one row: a value for each column, in order.
    mutating func append(_ row: BulkValue...) {
        precondition(row.count == columns.count, "a \(table) row takes \(columns.count) values")
        values.append(contentsOf: row)
    }
}

/// Writes many rows at once inside a transaction: multi-row `INSERT`s on SQLite, `COPY … FROM
/// STDIN` on PostgreSQL. Triggers and constraints apply as to any insert, so what normal writes
/// keep in step (the full-text index) stays in step.
protocol BulkWriter: Sendable {
    func write(_ rows: BulkRows) async throws

    /// After rows with explicit ids went into `table`: new rows get ids after the largest.
    func continueIDs(of table: String) async throws
}

/// The bulk writer for a transaction's connection.
func bulkWriter(for sql: any SQLDatabase, kind: DatabaseKind) async throws -> any BulkWriter {
    switch kind {
    case .sqlite:
        return InsertBulkWriter(sql: sql)
    case .postgres:
        if let holder = sql as? any PostgresConnectionHolding { return CopyBulkWriter(sql: sql, connection: holder.connection) }
        guard let postgres = sql as? any PostgresNIO.PostgresDatabase else { return InsertBulkWriter(sql: sql) }
        let connection = try await postgres.withConnection { $0.eventLoop.makeSucceededFuture($0) }.get()
        return CopyBulkWriter(sql: sql, connection: connection)
    }
}

/// An `SQLDatabase` that runs on one PostgreSQL connection and can hand it out (for `COPY`).
protocol PostgresConnectionHolding {
    var connection: PostgresConnection { get }
}

/// SQLite (and any SQL database): multi-row `INSERT … VALUES (…), (…)` statements with the
/// values written as literals (no per-value binding; SQLite parses literals faster than it binds them).
struct InsertBulkWriter: BulkWriter {
    let sql: any SQLDatabase
    /// Rows per statement.
    var rowsPerStatement = 500

    func write(_ rows: BulkRows) async throws {
        let width = rows.columns.count
        let head = "INSERT INTO \(rows.table) (\(rows.columns.joined(separator: ", "))) VALUES "
        var start = 0
        while start < rows.values.count {
            let end = min(rows.values.count, start + rowsPerStatement * width)
            var text = head
            text.reserveCapacity(head.utf8.count + (end - start) * 24)
            var index = start
            while index < end {
                text += index == start ? "(" : ", ("
                for column in 0..<width {
                    if column > 0 { text += ", " }
                    try Self.appendLiteral(rows.values[index + column], to: &text)
                }
                text += ")"
                index += width
            }
            try await sql.raw(SQLQueryString(text)).run()
            start = end
        }
    }

    /// SQLite's AUTOINCREMENT already continues after explicit ids.
    func continueIDs(of table: String) async throws {}

    static func appendLiteral(_ value: BulkValue, to text: inout String) throws {
        switch value {
        case .int(let number): text += String(number)
        case .bool(let flag): text += flag ? "TRUE" : "FALSE"
        case .null: text += "NULL"
        case .text(let string):
            guard !string.utf8.contains(0) else { throw BulkWriteError.nulInText }
            text += "'"
            text += string.utf8.contains(UInt8(ascii: "'")) ? string.replacingOccurrences(of: "'", with: "''") : string
            text += "'"
        }
    }
}

/// PostgreSQL: `COPY table (columns) FROM STDIN` in the text format, streamed in chunks.
struct CopyBulkWriter: BulkWriter {
    let sql: any SQLDatabase
    let connection: PostgresConnection
    /// Bytes sent per chunk.
    var chunkBytes = 1 << 20

    func write(_ rows: BulkRows) async throws {
        guard !rows.isEmpty else { return }
        let width = rows.columns.count
        try await connection.copyFrom(table: rows.table, columns: rows.columns, logger: sql.logger) { writer in
            var buffer = ByteBufferAllocator().buffer(capacity: chunkBytes + 4096)
            var index = 0
            while index < rows.values.count {
                for column in 0..<width {
                    if column > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                    try Self.append(rows.values[index + column], to: &buffer)
                }
                buffer.writeInteger(UInt8(ascii: "\n"))
                index += width
                if buffer.readableBytes >= chunkBytes {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
    }

    func continueIDs(of table: String) async throws {
        try await sql.raw(
            """
            SELECT setval(pg_get_serial_sequence(\(bind: table), 'id'), GREATEST((SELECT MAX(id) FROM \(ident: table)), 1))
            """
        ).run()
    }

    /// A value in COPY's text format: `\N` for null, backslash escapes for the separators.
    static func append(_ value: BulkValue, to buffer: inout ByteBuffer) throws {
        switch value {
        case .int(let number): buffer.writeString(String(number))
        case .bool(let flag): buffer.writeInteger(flag ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .null: buffer.writeString("\\N")
        case .text(let string):
            let utf8 = string.utf8
            if !utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 < 0x20 }) {
                buffer.writeString(string)
                return
            }
            for byte in utf8 {
                switch byte {
                case 0: throw BulkWriteError.nulInText
                case UInt8(ascii: "\\"): buffer.writeString("\\\\")
                case UInt8(ascii: "\n"): buffer.writeString("\\n")
                case UInt8(ascii: "\r"): buffer.writeString("\\r")
                case UInt8(ascii: "\t"): buffer.writeString("\\t")
                default: buffer.writeInteger(byte)
                }
            }
        }
    }
}

/// Text a database cannot store as it is.
enum BulkWriteError: Error, CustomStringConvertible {
    case nulInText

    var description: String { "Text with a NUL character cannot be stored." }
}
