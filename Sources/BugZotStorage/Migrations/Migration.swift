import Foundation
import SQLKit

/// One versioned step of the schema; applied once, in order, and recorded in `schema_migrations`.
/// Its statements run in one transaction. A migration with backfills then brings existing rows in
/// step a batch at a time, each batch its own transaction (so writers wait for one batch at most),
/// and is recorded only when every batch is done: its statements must be re-runnable and its
/// backfills idempotent, since a migration cut off midway runs again from the start.
public struct Migration: Sendable {
    public let name: String
    let statements: @Sendable (DatabaseKind) -> [String]
    let backfills: @Sendable (DatabaseKind) -> [Backfill]

    init(
        _ name: String, statements: @escaping @Sendable (DatabaseKind) -> [String],
        backfills: @escaping @Sendable (DatabaseKind) -> [Backfill] = { _ in [] }
    ) {
        self.name = name
        self.statements = statements
        self.backfills = backfills
    }
}

/// A statement that brings the rows of `table` with ids in `(lower, upper]` in step.
struct Backfill: Sendable {
    let table: String
    let statement: @Sendable (_ lower: Int, _ upper: Int) -> SQLQueryString
}

/// Applies the migrations a database has not seen yet, each in its own transaction.
public enum Migrator {
    /// Returns the names of the migrations it applied. Backfills go `batchSize` rows at a time.
    @discardableResult
    public static func migrate(
        _ database: any Database, migrations: [Migration] = Schema.migrations, batchSize: Int = 10_000
    ) async throws -> [String] {
        try await database.transaction { sql in
            try await sql.raw("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)").run()
        }
        var applied: [String] = []
        for migration in migrations {
            let backfills = migration.backfills(database.kind)
            let ran = try await database.transaction { sql in
                guard try await isPending(migration, sql: sql, kind: database.kind) else { return false }
                for statement in migration.statements(database.kind) {
                    try await sql.raw(SQLQueryString(statement)).run()
                }
                if backfills.isEmpty { try await record(migration, sql: sql) }
                return true
            }
            guard ran else { continue }
            if !backfills.isEmpty {
                for backfill in backfills { try await run(backfill, on: database, batchSize: batchSize) }
                guard try await database.transaction({ sql in
                    guard try await isPending(migration, sql: sql, kind: database.kind) else { return false }
                    try await record(migration, sql: sql)
                    return true
                }) else { continue }  // another instance finished it meanwhile
            }
            applied.append(migration.name)
        }
        return applied
    }

    /// Whether `migration` is still to be applied; checked inside the transaction (under a lock on
    /// PostgreSQL) so that concurrent instances apply each step once.
    private static func isPending(_ migration: Migration, sql: any SQLDatabase, kind: DatabaseKind) async throws -> Bool {
        if kind == .postgres {
            try await sql.raw("LOCK TABLE schema_migrations IN EXCLUSIVE MODE").run()
        }
        return try await sql.raw("SELECT name FROM schema_migrations WHERE name = \(bind: migration.name)").first() == nil
    }

    private static func record(_ migration: Migration, sql: any SQLDatabase) async throws {
        try await sql.raw(
            "INSERT INTO schema_migrations (name, applied_at) VALUES (\(bind: migration.name), \(bind: Int(Date().timeIntervalSince1970)))"
        ).run()
    }

    /// Runs `backfill` over the ids its table holds now, `batchSize` ids per transaction (rows
    /// written later are kept in step by the migration's statements).
    private static func run(_ backfill: Backfill, on database: any Database, batchSize: Int) async throws {
        let last = try await database.read { sql in
            try await sql.raw("SELECT COALESCE(MAX(id), 0) AS last FROM \(ident: backfill.table)").first()?.decode(column: "last", as: Int.self) ?? 0
        }
        var lower = 0
        while lower < last {
            let (from, upper) = (lower, min(lower + batchSize, last))
            try await database.transaction { sql in try await sql.raw(backfill.statement(from, upper)).run() }
            lower = upper
        }
    }
}
