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

    /// Runs `body` on a connection for queries that change nothing.
    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs `body` inside one transaction: everything it writes commits together or not at all.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
}

extension Database {
    /// Runs `body` with this database's service running alongside, for one-off commands.
    public func withRunning<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await self.run()
                return nil
            }
            group.addTask { try await body() }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }
}
