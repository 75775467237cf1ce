@testable import BugZotStorage
import Foundation
import SQLKit
import Testing

/// On PostgreSQL every query runs as a named prepared statement: parsed and planned once per
/// connection, then only bound and executed.
@Suite("PostgreSQL prepares each statement once per connection")
struct PreparedStatementTests {
    static let postgres = TestBackend.all.filter { $0 == .postgres }

    @Test("a query run again on a connection is executed by name, not parsed again", arguments: postgres)
    func reused(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let (names, runs) = try await database.read { sql in
                for _ in 1...3 { _ = try await SQLStore(sql).users(ids: [1]) }
                let rows = try await sql.raw(
                    "SELECT name, generic_plans + custom_plans AS runs FROM pg_prepared_statements WHERE statement LIKE \(bind: "SELECT u.id, u.login_name%")"
                ).all()
                return (try rows.map { try $0.decode(column: "name", as: String.self) }, try rows.map { try $0.decode(column: "runs", as: Int.self) })
            }
            #expect(names.count == 1 && names.allSatisfy { $0.hasPrefix("bugzot_") })
            #expect(runs == [3])
        }
    }

    @Test("the same text with a NULL, then a number, is two statements, each planned for its values", arguments: postgres)
    func valueTypes(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let values = try await database.read { sql in
                var values: [Int] = []
                for value in [nil, 5, nil, 6] as [Int?] {
                    let row = try await sql.raw("SELECT COALESCE(\(bind: value), 7) AS v").first()
                    values.append(try #require(row).decode(column: "v", as: Int.self))
                }
                return values
            }
            #expect(values == [7, 5, 7, 6])
        }
    }

    @Test("a schema change under a prepared SELECT * fails at most the call that meets it; later calls prepare it again", arguments: postgres)
    func schemaChange(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            try await database.transaction { sql in try await sql.raw("CREATE TABLE prepared_probe (a BIGINT)").run() }
            try await database.transaction { sql in try await sql.raw("INSERT INTO prepared_probe (a) VALUES (1)").run() }
            let select: SQLQueryString = "SELECT * FROM prepared_probe WHERE a = \(bind: 1)"
            _ = try await database.read { sql in try await sql.raw(select).all() }
            try await database.transaction { sql in try await sql.raw("ALTER TABLE prepared_probe ADD COLUMN b BIGINT").run() }
            _ = try? await database.read { sql in try await sql.raw(select).all() }
            let columns = try await database.read { sql in try await sql.raw(select).first()?.allColumns }
            #expect(columns == ["a", "b"])
        }
    }
}
