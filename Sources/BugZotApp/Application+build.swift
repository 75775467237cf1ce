import BugZotREST
import BugZotHTTP
import BugZotServices
import BugZotStorage
import BugZotWeb
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Opens the configured database: PostgreSQL when a URL is given, else SQLite in the data directory.
public func openDatabase(_ configuration: AppConfiguration, logger: Logger) async throws -> any Database {
    if let url = configuration.databaseURL {
        return try PostgresDatabase(url: url, logger: logger)
    }
    try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
    return try await SQLiteDatabase.open(path: configuration.sqlitePath, logger: logger)
}

/// The use cases over `database`, with attachments where the configuration says.
public func makeServices(_ configuration: AppConfiguration, database: any Database) -> AppServices {
    let blobs: any BlobStore =
        switch configuration.attachmentStore {
        case .files: FileBlobStore(root: configuration.attachmentsPath)
        case .database: DatabaseBlobStore(database: database)
        }
    return AppServices(
        database: database, blobs: blobs,
        attachmentLimit: configuration.maxAttachmentBytes, hasher: PasswordHasher(cost: configuration.bcryptCost))
}

/// The composition root: the HTTP application (REST API, attachments, web UI) over `database`, which it runs as a service and
/// migrates before the server accepts connections.
public func buildApplication(
    _ configuration: AppConfiguration, database: any Database, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let services = makeServices(configuration, database: database)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    RESTAPI(services: services, bodyLimit: configuration.maxRequestBytes).register(on: router)
    AttachmentTransfer(services: services).register(on: router)
    try await WebUI.load(services: services, publicURL: configuration.publicURL, logger: logger).register(on: router)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "BugZot"),
        services: [database],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
    app.beforeServerStarts {
        try await database.checkReachable()
        let applied = try await Migrator.migrate(database)
        if !applied.isEmpty { logger.info("applied migrations", metadata: ["migrations": "\(applied.joined(separator: ", "))"]) }
        if try await database.read({ sql in try await SQLStore(sql).countUsers() }) == 0 {
            logger.notice(
                "The database has no users yet. Create the first administrator with: bugzot user create --login admin@example.com --admin (the password is read from standard input)"
            )
        }
    }
    return app
}
