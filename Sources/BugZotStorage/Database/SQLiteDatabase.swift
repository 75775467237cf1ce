import Foundation
import Logging
import SQLiteKit
import SQLKit
import ServiceLifecycle
import Synchronization

/// SQLite in WAL mode: one writer connection behind a lock (SQLite allows one writer at a time)
/// and a few reader connections used in turn.
public final class SQLiteDatabase: Database {
    public let kind = DatabaseKind.sqlite
    /// One process owns the file, so every change is this process's own: always live.
    public let changes = ChangeFeed(isLive: true)
    private let writer: SQLiteFileConnection
    private let readers: [SQLiteFileConnection]
    private let writeLock = AsyncLock()
    private let nextReader = Atomic<Int>(0)
    private let logger: Logger
    /// The longest a transaction waits for the writer before it is answered as an outage.
    private let writerWait: Duration
    private let drain = CallDrain()
    /// How often, by default, the full-text indexes' parts are merged while writes arrive.
    public static let textUpkeepInterval: Duration = .seconds(30)
    /// How often the full-text indexes' parts are merged (`keepTextIndexesMerged`).
    private let textUpkeep: Duration
    /// Whether a transaction committed since the last merge of the full-text indexes.
    private let written = Atomic<Bool>(false)

    /// Opens (creating if needed) the database file at `path`.
    /// - Parameter writerWait: how long a transaction may wait for the single writer.
    /// - Parameter textUpkeep: how often, while writes arrive, the parts they add to the full-text
    ///   indexes are merged.
    public static func open(
        path: String, readers: Int = 4, writerWait: Duration = .seconds(30), textUpkeep: Duration = textUpkeepInterval, logger: Logger
    ) async throws -> SQLiteDatabase {
        let writer = try await SQLiteFileConnection.open(path: path, logger: logger)
        var readerConnections: [SQLiteFileConnection] = []
        do {
            // WAL lets readers proceed while the writer commits; NORMAL sync is durable in WAL mode.
            for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=5000"] {
                _ = try await writer.raw(SQLQueryString(pragma)).all()
            }
            for _ in 0..<max(1, readers) {
                let reader = try await SQLiteFileConnection.open(path: path, logger: logger)
                readerConnections.append(reader)
                try await reader.raw("PRAGMA busy_timeout=5000").run()
            }
            return SQLiteDatabase(writer: writer, readers: readerConnections, writerWait: writerWait, textUpkeep: textUpkeep, logger: logger)
        } catch {
            for reader in readerConnections { try? await reader.close() }
            try? await writer.close()
            throw error
        }
    }

    private init(writer: SQLiteFileConnection, readers: [SQLiteFileConnection], writerWait: Duration, textUpkeep: Duration, logger: Logger) {
        self.writer = writer
        self.readers = readers
        self.writerWait = writerWait
        self.textUpkeep = textUpkeep
        self.logger = logger
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        do {
            return try await ConnectionScope.hold { try await drain.call { try await body(readers[abs(index) % readers.count].countingStatements()) } }
        } catch {
            throw StorageUnavailable(classifying: error) ?? error
        }
    }

    /// A full disk, a lock held past `busy_timeout` or a writer busy past `writerWait` comes out as `StorageUnavailable`.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            defer { written.store(true, ordering: .releasing) }
            return try await ConnectionScope.hold { try await drain.call { try await writeTransaction(body) } }
        } catch {
            throw StorageUnavailable(classifying: error) ?? error
        }
    }

    private func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let wait = writerWait
        return try await writeLock.withLock(
            waitingAtMost: wait, orThrow: { StorageUnavailable(.databaseTimedOut, detail: "the writer stayed busy for \(wait)") }
        ) {
            // BEGIN and COMMIT (or ROLLBACK) go through the counter too.
            let sql = writer.countingStatements()
            try await sql.raw("BEGIN IMMEDIATE").run()
            do {
                let (result, changed) = try await ChangeCollector.collecting { collector in
                    let result = try await body(sql)
                    // The events' rows, last: the single writer numbers them in commit order.
                    if let sequences = try await SQLStore(sql).insertEvents(collector.raised) { collector.add(.events(sequences)) }
                    return (result, collector.collected)
                }
                try await sql.raw("COMMIT").run()
                changes.publish(.changed(changed))
                return result
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// Keeps the full-text indexes merged until shutdown, then closes every connection; cut off, it
    /// first lets the clean-ups of the work cut off with it finish (see `CallDrain`).
    public func run() async throws {
        await keepTextIndexesMerged()
        await drain.finish(cutOff: Task.isCancelled)
        // Closing must finish even when shutdown came as cancellation, so it runs in its own task.
        try await Task { try await self.close() }.value
    }

    /// Every `textUpkeep` after which a transaction has committed, merges the parts that
    /// single-row writes leave in the full-text indexes (each of which a lookup seeks in), in a
    /// short transaction of its own with a bounded amount of work (`TextSearch.upkeepStatements`).
    /// A pass that fails is logged; the next one does its work.
    private func keepTextIndexesMerged() async {
        let (statements, interval) = (kind.textSearch.upkeepStatements, textUpkeep)
        while true {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            guard written.exchange(false, ordering: .acquiring) else { continue }
            do {
                try await drain.call {
                    try await writeTransaction { sql in
                        for statement in statements { try await sql.raw(SQLQueryString(statement)).run() }
                    }
                }
            } catch {
                written.store(true, ordering: .releasing)
                logger.warning("could not merge the full-text indexes", metadata: ["error": "\(error)"])
            }
        }
    }

    private func close() async throws {
        try await writeLock.withLock {
            for reader in readers { try await reader.close() }
            try await writer.close()
        }
    }
}
