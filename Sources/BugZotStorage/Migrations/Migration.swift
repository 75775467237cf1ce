import Foundation
import SQLKit

/// One versioned step of the schema; applied once, in order, and recorded in `schema_migrations`.
public struct Migration: Sendable {
    public let name: String
    let statements: @Sendable (DatabaseKind) -> [String]

    init(_ name: String, statements: @escaping @Sendable (DatabaseKind) -> [String]) {
        self.name = name
        self.statements = statements
    }
}

/// Applies the migrations a database has not seen yet, each in its own transaction.
public enum Migrator {
    /// Returns the names of the migrations it applied.
    @discardableResult
    public static func migrate(_ database: any Database, migrations: [Migration] = Schema.migrations) async throws -> [String] {
        try await database.transaction { sql in
            try await sql.raw("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)").run()
        }
        var applied: [String] = []
        for migration in migrations {
            let ran = try await database.transaction { sql in
                // Checked inside the transaction so concurrent instances apply each step once.
                if database.kind == .postgres {
                    try await sql.raw("LOCK TABLE schema_migrations IN EXCLUSIVE MODE").run()
                }
                let done = try await sql.raw("SELECT name FROM schema_migrations WHERE name = \(bind: migration.name)").first()
                guard done == nil else { return false }
                for statement in migration.statements(database.kind) {
                    try await sql.raw(SQLQueryString(statement)).run()
                }
                try await sql.raw(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (\(bind: migration.name), \(bind: Int(Date().timeIntervalSince1970)))"
                ).run()
                return true
            }
            if ran { applied.append(migration.name) }
        }
        return applied
    }
}
