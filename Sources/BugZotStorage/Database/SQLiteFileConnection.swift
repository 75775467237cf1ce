import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization
import VaporCSQLite

/// A connection to one SQLite file through SQLite's C API (the SQLite sqlite-nio bundles), as an
/// `SQLDatabase` for SQLKit. It keeps the statements it prepares, by their SQL, so that a query
/// BugZot runs again is only bound, stepped and reset: SQLiteNIO's connection prepares every
/// query anew, which was a quarter of the server's CPU for a GET of one bug.
///
/// Calls run on NIO's blocking thread pool; several may use one connection at once (SQLite
/// serialises them, `SQLITE_OPEN_FULLMUTEX`), each with a statement of its own: a kept statement
/// is lent to one call at a time, and a call that finds its statement lent prepares another.
/// Rows decode as SQLiteKit's do (`SQLiteDataDecoder`); REGEXP is installed on every connection.
final class SQLiteFileConnection: SQLDatabase {
    /// At most this many statements are kept; past it, one kept statement is dropped for each new one.
    static let statementsKept = 128

    /// Where queries are logged, at `queryLogLevel`.
    let logger: Logger
    /// The event loop of the `EventLoopFuture` calls.
    let eventLoop: any EventLoop
    /// SQLite's SQL, as SQLiteKit writes it.
    let dialect: any SQLDialect = SQLiteDialect()
    /// Queries are logged at debug level, as SQLiteKit logs them.
    var queryLogLevel: Logger.Level? { .debug }
    private let handle: Handle
    private let statements = Mutex<[String: SQLiteStatement]>([:])
    private let isClosed = Atomic<Bool>(false)
    private let threadPool = NIOThreadPool.singleton
    private let encoder = SQLiteDataEncoder()
    private let decoder = SQLiteDataDecoder()

    /// The `sqlite3*`. `@unchecked Sendable`: SQLite serialises the calls on it (full mutex), and
    /// it is closed only once, after the last call (`close()`).
    private final class Handle: @unchecked Sendable {
        let raw: OpaquePointer
        init(_ raw: OpaquePointer) { self.raw = raw }
    }

    /// SQLite sets itself up once per process, before the first connection.
    private static let library: Int32 = sqlite_nio_sqlite3_initialize()

    /// Opens (creating if needed) the database file at `path`.
    static func open(path: String, logger: Logger) async throws -> SQLiteFileConnection {
        try await NIOThreadPool.singleton.runIfActive {
            guard library == SQLITE_OK else { throw SQLiteFailure(code: library, connection: nil) }
            var raw: OpaquePointer?
            let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
            let result = sqlite_nio_sqlite3_open_v2(path, &raw, flags, nil)
            guard result == SQLITE_OK, let raw else {
                let failure = SQLiteFailure(code: result, connection: raw)
                sqlite_nio_sqlite3_close_v2(raw)
                throw failure
            }
            do {
                try SQLiteRegexp.install(in: raw)
            } catch {
                sqlite_nio_sqlite3_close_v2(raw)
                throw error
            }
            return SQLiteFileConnection(handle: Handle(raw), logger: logger)
        }
    }

    private init(handle: Handle, logger: Logger) {
        self.handle = handle
        self.logger = logger
        self.eventLoop = MultiThreadedEventLoopGroup.singleton.any()
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await self.execute(sql: query, onRow) }
        return promise.futureResult
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, binds) = serialize(query)
        if let queryLogLevel {
            logger.log(level: queryLogLevel, "Executing query", metadata: ["sql": .string(sql), "binds": .array(binds.map { .string("\($0)") })])
        }
        let values = try binds.map { try encoder.encode($0) }
        try await threadPool.runIfActive { try self.run(sql, binding: values, onRow) }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    /// Runs `sql` on this thread, with a kept statement when one is free.
    private func run(_ sql: String, binding values: [SQLiteData], _ onRow: (any SQLRow) -> Void) throws {
        guard !isClosed.load(ordering: .acquiring) else {
            throw SQLiteFailure(code: SQLITE_MISUSE, message: "The connection is closed")
        }
        let statement = try statements.withLock { $0.removeValue(forKey: sql) } ?? SQLiteStatement(sql: sql, connection: handle.raw)
        defer { keep(statement) }
        try statement.run(binding: values, decoder: decoder, onRow)
    }

    private func keep(_ statement: SQLiteStatement) {
        statements.withLock { kept in
            guard kept[statement.sql] == nil else { return }  // another call prepared it meanwhile
            if kept.count >= Self.statementsKept, let any = kept.keys.first { kept[any] = nil }
            kept[statement.sql] = statement
        }
    }

    /// Finalizes the kept statements and closes the connection; no call may follow.
    func close() async throws {
        try await threadPool.runIfActive {
            guard !self.isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
            self.statements.withLock { $0.removeAll() }
            let result = sqlite_nio_sqlite3_close_v2(self.handle.raw)
            guard result == SQLITE_OK else { throw SQLiteFailure(code: result, connection: self.handle.raw) }
        }
    }
}
