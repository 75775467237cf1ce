import Foundation
import SQLKit

/// Every query BugZot runs, over one connection or transaction. The same SQL serves SQLite and
/// PostgreSQL; SQLKit renders the placeholders for each.
public struct SQLStore: Sendable {
    let sql: any SQLDatabase
    /// How many of the newest `TextSample.rows` rows of one full-text source a word must match
    /// (1 in 100) to count as common: a search for it then walks the bugs in the page's order and
    /// looks each up in the index (the first few hundred bugs hold a page of them) rather than
    /// reading every match first. Tests change it to see both plans.
    var commonTextRows = 20

    public init(_ sql: any SQLDatabase) {
        self.sql = sql
    }

    func all(_ query: SQLQueryString) async throws -> [any SQLRow] {
        try await sql.raw(query).all()
    }

    func first(_ query: SQLQueryString) async throws -> (any SQLRow)? {
        try await sql.raw(query).first()
    }

    func run(_ query: SQLQueryString) async throws {
        try await sql.raw(query).run()
    }

    /// Inserts `rows` (each a parenthesised list of values) into `table (columns)`: one statement
    /// for up to 500 rows, none for no rows.
    func insertRows(into table: SQLQueryString, _ rows: [SQLQueryString]) async throws {
        for start in stride(from: 0, to: rows.count, by: 500) {
            try await run("INSERT INTO " + table + " VALUES " + rows[start..<min(start + 500, rows.count)].joined(separator: ", "))
        }
    }

    /// Inserts a row and returns its new id.
    func insert(_ query: SQLQueryString) async throws -> Int {
        guard let row = try await first(query + " RETURNING id") else { throw StoreError.noIDReturned }
        return try row.int("id")
    }
}

enum StoreError: Error {
    case noIDReturned
    /// A row names a user that is not there (the schema's foreign keys prevent it).
    case missingUser(Int)
}

extension SQLRow {
    func int(_ column: String) throws -> Int { try decode(column: column, as: Int.self) }
    func optionalInt(_ column: String) throws -> Int? { try decode(column: column, as: Int?.self) }
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try decode(column: column, as: String?.self) }
    func bool(_ column: String) throws -> Bool { try decode(column: column, as: Bool.self) }
    func date(_ column: String) throws -> Date { Date(timeIntervalSince1970: TimeInterval(try int(column))) }
}

extension Date {
    /// Stored times are whole Unix seconds.
    var unixSeconds: Int { Int(timeIntervalSince1970.rounded(.down)) }
}

/// `(?, ?, ?)` for an IN list; never empty, since `IN ()` is not valid SQL.
func inList<T: Encodable & Sendable>(_ values: [T]) -> SQLQueryString {
    values.isEmpty ? "(NULL)" : "(\(binds: values))"
}
