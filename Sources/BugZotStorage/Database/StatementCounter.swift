import Logging
import NIOCore
import SQLKit
import Synchronization

/// Counts the SQL statements one unit of work (an HTTP request) sends to the database, on SQLite
/// and PostgreSQL alike: every statement a store runs, and the `BEGIN` and `COMMIT` (or
/// `ROLLBACK`) around each transaction. Statements a database sends on its own (opening a
/// connection, SQLite's pragmas, PostgreSQL's keep-alive checks) are not counted.
///
/// The work is counted while it runs under `counting(_:)`; the task-local reaches the tasks it
/// starts, but not detached ones. Counting costs one relaxed atomic increment per statement.
public final class StatementCounter: Sendable {
    /// The counter of the work the current task does, if it is counted.
    @TaskLocal public static var current: StatementCounter?

    private let count = Atomic<Int>(0)

    /// A counter at zero.
    public init() {}

    /// The statements counted so far.
    public var statements: Int { count.load(ordering: .relaxed) }

    /// Runs `body` with its statements counted here.
    public func counting<T>(_ body: () async throws -> T) async rethrows -> T {
        try await Self.$current.withValue(self) { try await body() }
    }

    /// Counts `statements` more.
    func record(_ statements: Int = 1) {
        count.add(statements, ordering: .relaxed)
    }
}

extension SQLDatabase {
    /// This database, counting its statements into the current task's counter when there is one
    /// (and as it is when there is none, at no cost).
    func countingStatements() -> any SQLDatabase {
        guard let counter = StatementCounter.current else { return self }
        return CountingSQLDatabase(base: self, counter: counter)
    }
}

/// An `SQLDatabase` that counts each statement it passes on.
private struct CountingSQLDatabase: SQLDatabase {
    let base: any SQLDatabase
    let counter: StatementCounter

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        counter.record()
        return base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        counter.record()
        try await base.execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await base.withSession { [counter] session in try await closure(CountingSQLDatabase(base: session, counter: counter)) }
    }
}
