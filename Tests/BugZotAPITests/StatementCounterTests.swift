import BugZotStorage
import SQLKit
import Testing

@Suite("Counting SQL statements on each database")
struct StatementCounterTests {
    struct Refused: Error {}

    @Test("a read counts each statement; a transaction its statements and its BEGIN and COMMIT", arguments: TestBackend.all)
    func readsAndTransactions(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let counter = StatementCounter()
            try await counter.counting {
                try await database.read { sql in
                    _ = try await sql.raw("SELECT 1 AS one").all()
                    _ = try await sql.raw("SELECT 2 AS two").first()
                }
            }
            #expect(counter.statements == 2)
            try await counter.counting {
                try await database.transaction { sql in try await sql.raw("SELECT 1 AS one").run() }
            }
            #expect(counter.statements == 2 + 3)
        }
    }

    @Test("a transaction that fails counts its ROLLBACK instead of COMMIT", arguments: TestBackend.all)
    func rollback(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let counter = StatementCounter()
            await #expect(throws: Refused.self) {
                try await counter.counting {
                    try await database.transaction { sql in
                        try await sql.raw("SELECT 1 AS one").run()
                        throw Refused()
                    }
                }
            }
            #expect(counter.statements == 3)
        }
    }

    @Test("work in child tasks counts into the same counter; work outside it is not counted", arguments: TestBackend.all)
    func childTasks(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let counter = StatementCounter()
            try await counter.counting {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask { try await database.read { sql in try await sql.raw("SELECT 1 AS one").run() } }
                    }
                    try await group.waitForAll()
                }
            }
            try await database.read { sql in try await sql.raw("SELECT 1 AS one").run() }
            #expect(counter.statements == 4)
            #expect(StatementCounter.current == nil)
        }
    }
}
