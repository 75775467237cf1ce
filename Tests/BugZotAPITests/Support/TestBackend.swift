import BugZotStorage
import Foundation
import Logging
import SQLKit
import Testing

/// A database the API and storage tests run against: SQLite always, and PostgreSQL when
/// `BUGZOT_TEST_DATABASE_URL` names a server (each test then gets a schema of its own).
enum TestBackend: String, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    static let postgresURL = ProcessInfo.processInfo.environment["BUGZOT_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// Every backend available here.
    static let all: [TestBackend] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]

    var testDescription: String { rawValue }

    static let logger: Logger = {
        var logger = Logger(label: "bugzot-test")
        logger.logLevel = .warning
        return logger
    }()

    /// A fresh, empty database (not yet running or migrated).
    func makeDatabase() async throws -> any Database {
        try await makeSharedDatabase().database
    }

    /// A fresh, empty database (not yet running or migrated) and, on PostgreSQL, how another
    /// instance opens the same one (SQLite's file belongs to one process). On SQLite the parts of
    /// its full-text indexes are merged every `textUpkeep`.
    func makeSharedDatabase(
        textUpkeep: Duration = SQLiteDatabase.textUpkeepInterval
    ) async throws -> (database: any Database, another: (@Sendable () throws -> any Database)?) {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bugzot-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("test.sqlite").path
            return (try await SQLiteDatabase.open(path: path, textUpkeep: textUpkeep, logger: Self.logger), nil)
        case .postgres:
            let url = try #require(Self.postgresURL)
            let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let admin = try PostgresDatabase(url: url, logger: Self.logger)
            try await admin.withRunning {
                try await admin.transaction { sql in try await sql.raw("CREATE SCHEMA \(ident: schema)").run() }
            }
            let open: @Sendable () throws -> any Database = { try PostgresDatabase(url: url, searchPath: schema, logger: Self.logger) }
            return (try open(), open)
        }
    }

    /// Runs `body` with a fresh, migrated database whose service is running.
    func withMigratedDatabase(_ body: @escaping @Sendable (any Database) async throws -> Void) async throws {
        let database = try await makeDatabase()
        try await database.withRunning {
            try await Migrator.migrate(database)
            try await body(database)
        }
    }
}
