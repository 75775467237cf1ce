import Logging
import ServiceLifecycle
import SQLKit

/// The two SQL dialects BugZot runs on.
public enum DatabaseKind: String, Sendable {
    case sqlite
    case postgres
}

/// Where BugZot keeps its data: hands out SQL connections for reads and for transactions.
/// It is a `Service` so that its connections live as long as the application's service group.
public protocol Database: Service {
    var kind: DatabaseKind { get }

    /// Where this instance hears of committed changes (announced by the store's writes).
    var changes: ChangeFeed { get }

    /// Runs `body` on a connection for queries that change nothing.
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs `body` inside one transaction: everything it writes commits together or not at all.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
}

extension Database {
    /// Fails with `DatabaseUnreachable` unless a trivial query answers within `timeout`.
    public func checkReachable(timeout: Duration = .seconds(10)) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = try await self.read { sql in try await sql.raw("SELECT 1 AS one").first() }
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            defer { group.cancelAll() }
            do {
                guard try await group.next() == true else { throw DatabaseUnreachable(reason: "no answer within \(timeout)") }
            } catch let error as DatabaseUnreachable {
                throw error
            } catch {
                throw DatabaseUnreachable(reason: String(describing: error))
            }
        }
    }

    /// Runs `body` with this database's service running alongside, for one-off commands. The
    /// service is then shut down gracefully, not cancelled, so it closes as soon as its calls are
    /// done (a cancelled database waits a moment for the clean-ups of cut-off work: `CallDrain`).
    public func withRunning<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let service = ServiceGroup(
            configuration: .init(
                services: [.init(service: self)], logger: Logger(label: "bugzot.database", factory: { _ in SwiftLogNoOpLogHandler() })))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await service.run()
                return nil
            }
            group.addTask { try await body() }
            do {
                while let finished = try await group.next() {
                    guard let value = finished else { continue }
                    await service.triggerGracefulShutdown()
                    try await group.waitForAll()
                    return value
                }
                throw CancellationError()
            } catch {
                group.cancelAll()  // the body failed, or the database could not run
                throw error
            }
        }
    }
}

/// The database did not answer.
public struct DatabaseUnreachable: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "Cannot reach the database: \(reason)" }
}
