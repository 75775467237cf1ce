@testable import BugZotStorage
import SQLKit
import Testing

/// A migration that changes a table's columns changes them for every connection at once: no
/// connection that read the schema before goes on naming a row's columns by the old one.
@Suite("Rows after a schema change")
struct SchemaChangeTests {
    @Test("a column added by a migration leaves every reader naming the columns right", arguments: TestBackend.all)
    func columnAdded(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let create = Migration("900_probe", statements: { _ in ["CREATE TABLE probe (a INTEGER)", "INSERT INTO probe (a) VALUES (1)"] })
            try await Migrator.migrate(database, migrations: [create])
            // Every reader reads the table, and so the schema, before the next migration, and
            // prepares (and keeps) the very statement read after it.
            for _ in 0..<8 {
                _ = try await database.read { sql in try await sql.raw("SELECT * FROM probe").all() }
                _ = try await database.read { sql in try await sql.raw("SELECT p.*, 'here' AS marker FROM probe p").all() }
            }
            let addColumn = Migration("901_probe_column", statements: { _ in ["ALTER TABLE probe ADD COLUMN b INTEGER"] })
            try await Migrator.migrate(database, migrations: [addColumn])
            for _ in 0..<8 {
                let row = try await database.read { sql in try await sql.raw("SELECT p.*, 'here' AS marker FROM probe p").first() }
                #expect(try row?.decode(column: "marker", as: String.self) == "here")
                #expect(try row?.decode(column: "a", as: Int.self) == 1)
            }
        }
    }
}
