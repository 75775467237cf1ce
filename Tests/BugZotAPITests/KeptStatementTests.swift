@testable import BugZotStorage
import SQLKit
import Testing

/// SQLite connections keep the statements they prepare and run them again: a statement run again
/// answers for its new values and sees what was written since, however many calls share it and
/// however many statements a connection has seen.
@Suite("Statements kept by SQLite connections")
struct KeptStatementTests {
    @Test("a statement run again sees rows committed since it last ran, and its new values")
    func runAgain() async throws {
        try await TestBackend.sqlite.withMigratedDatabase { database in
            try await database.transaction { sql in try await sql.raw("CREATE TABLE probe (a INTEGER)").run() }
            // Every reader runs the statement before and after each write.
            for value in 1...3 {
                try await database.transaction { sql in try await sql.raw("INSERT INTO probe (a) VALUES (\(bind: value))").run() }
                for _ in 0..<8 {
                    let row = try await database.read { sql in
                        try await sql.raw("SELECT COUNT(*) AS n, SUM(a = \(bind: value)) AS mine FROM probe").first()
                    }
                    #expect(try row?.decode(column: "n", as: Int.self) == value)
                    #expect(try row?.decode(column: "mine", as: Int.self) == 1)
                }
            }
        }
    }

    @Test("calls running one statement at once on one connection each get their own answer")
    func concurrentCalls() async throws {
        try await TestBackend.sqlite.withMigratedDatabase { database in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for value in 0..<200 {
                    group.addTask {
                        let rows = try await database.read { sql in
                            try await sql.raw("SELECT \(bind: value) + 0 AS n UNION ALL SELECT \(bind: value) + 1").all()
                        }
                        #expect(try rows.map { try $0.decode(column: "n", as: Int.self) } == [value, value + 1])
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test("more distinct statements than a connection keeps all answer right, again and again")
    func manyStatements() async throws {
        try await TestBackend.sqlite.withMigratedDatabase { database in
            let distinct = SQLiteFileConnection.statementsKept * 3
            for _ in 0..<2 {
                for value in 0..<distinct {
                    let text = "SELECT \(value) AS n"  // a statement of its own for each value
                    let row = try await database.read { sql in try await sql.raw(SQLQueryString(text)).first() }
                    #expect(try row?.decode(column: "n", as: Int.self) == value)
                }
            }
        }
    }

    @Test("values read as Int, String, Bool and their optionals convert as SQLiteKit converts them")
    func conversions() async throws {
        try await TestBackend.sqlite.withMigratedDatabase { database in
            let row = try #require(
                try await database.read { sql in
                    try await sql.raw("SELECT 7 AS i, 'text' AS s, 1 AS yes, 0 AS no, NULL AS absent, 12 AS digits, 2 AS two, 'x' AS letter").first()
                })
            #expect(try row.decode(column: "i", as: Int.self) == 7)
            #expect(try row.decode(column: "i", as: Int?.self) == 7)
            #expect(try row.decode(column: "absent", as: Int?.self) == nil)
            #expect(try row.decode(column: "s", as: String.self) == "text")
            #expect(try row.decode(column: "digits", as: String.self) == "12")
            #expect(try row.decode(column: "absent", as: String?.self) == nil)
            #expect(try row.decode(column: "yes", as: Bool.self))
            #expect(try !row.decode(column: "no", as: Bool.self))
            #expect(throws: (any Error).self) { try row.decode(column: "two", as: Bool.self) }
            #expect(throws: (any Error).self) { try row.decode(column: "letter", as: Int.self) }
            #expect(throws: (any Error).self) { try row.decode(column: "letter", as: Int?.self) }
            #expect(throws: (any Error).self) { try row.decode(column: "missing", as: Int.self) }
            #expect(try row.decode(column: "i", as: Double.self) == 7)
        }
    }
}
