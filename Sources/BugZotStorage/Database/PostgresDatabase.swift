import Foundation
import Logging
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import ServiceLifecycle

/// PostgreSQL through a pooled `PostgresClient`; many BugZot instances may share one server.
public final class PostgresDatabase: Database {
    public let kind = DatabaseKind.postgres
    private let client: PostgresClient
    private let logger: Logger

    /// - Parameter searchPath: a schema to work in instead of `public` (tests use one each).
    public init(url: String, searchPath: String? = nil, logger: Logger) throws {
        var configuration = try Self.configuration(from: url)
        if let searchPath {
            configuration.options.additionalStartupParameters = [("search_path", searchPath)]
        }
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil))
        }
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(connection.sql(queryLogLevel: nil))
            }
        } catch let error as PostgresTransactionError {
            // A refusal from the body (rolled back cleanly) reaches callers as itself.
            if let closureError = error.closureError, error.rollbackError == nil { throw closureError }
            throw error
        }
    }

    /// Runs the connection pool until shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.client.run()
        }
    }

    /// Reads `postgres://user:password@host:port/database?sslmode=…`.
    static func configuration(from url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url),
            ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty
        else { throw DatabaseURLError(url: url) }
        let database = String(components.path.drop(while: { $0 == "/" }))
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw DatabaseURLError(url: url)
        }
        return PostgresClient.Configuration(
            host: host, port: components.port ?? 5432,
            username: components.user.map { $0.removingPercentEncoding ?? $0 } ?? "postgres",
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.isEmpty ? nil : database, tls: tls
        )
    }
}

/// A database URL BugZot cannot use.
public struct DatabaseURLError: Error, CustomStringConvertible {
    public let url: String
    public var description: String {
        "Unsupported database URL. Expected postgres://user:password@host:port/database[?sslmode=disable|require]."
    }
}
