import BugZotDomain
import BugZotMail
import BugZotREST
import BugZotRealtime
import BugZotHTTP
import BugZotServices
import BugZotStorage
import BugZotWeb
import BugZotWire
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// Opens the configured database: PostgreSQL when a URL is given, else SQLite in the data directory.
public func openDatabase(_ configuration: AppConfiguration, logger: Logger) async throws -> any Database {
    if let url = configuration.databaseURL {
        return try PostgresDatabase(url: url, deadlines: .init(call: .seconds(configuration.databaseTimeoutSeconds)), logger: logger)
    }
    try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
    return try await SQLiteDatabase.open(
        path: configuration.sqlitePath, writerWait: .milliseconds(Int(configuration.databaseTimeoutSeconds * 1000)), logger: logger)
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
        attachmentLimit: configuration.maxAttachmentBytes, hasher: PasswordHasher(cost: configuration.bcryptCost),
        composer: MailComposer(siteURL: configuration.siteURL, mailDomain: configuration.mailDomain),
        eventRetention: TimeInterval(configuration.eventRetentionHours) * 3600)
}

/// The job worker, with mail going to the configured SMTP server, or to files when there is none.
public func makeWorker(_ configuration: AppConfiguration, services: AppServices, logger: Logger) throws -> JobWorker {
    let from = MailAddress(address: configuration.mailFrom ?? "bugzot@\(configuration.mailDomain)", name: "BugZot")
    let transport: any MailTransport
    if let url = configuration.smtpURL {
        let settings = try SMTPSettings(url: url)
        logger.info("mail goes through SMTP", metadata: ["server": "\(settings.redactedDescription)"])
        transport = SMTPMailTransport(client: SMTPClient(settings: settings, logger: logger), from: from)
    } else {
        logger.notice("no SMTP server configured (BUGZOT_SMTP_URL): mail is written to files", metadata: ["folder": "\(configuration.mailPath)"])
        let files = FileMailTransport(directory: URL(fileURLWithPath: configuration.mailPath), from: from, logger: logger)
        files.removeAbandonedFiles()
        transport = files
    }
    var settings = JobWorker.Settings()
    settings.baseDelay = configuration.jobRetrySeconds
    settings.maximumAttempts = configuration.jobMaxAttempts
    settings.lease = configuration.jobLeaseSeconds
    settings.keepEvents = TimeInterval(configuration.eventRetentionHours) * 3600
    return services.worker(transport: transport, settings: settings, logger: logger)
}

/// Fails with the reason when an SMTP URL can't be used.
public func checkSMTPURL(_ url: String) throws {
    _ = try SMTPSettings(url: url)
}

/// The database's migrations, applied once however many services wait for them: nothing that
/// queries the database (the HTTP server, the job worker) starts before they are done.
public actor Migration {
    let database: any Database
    let logger: Logger
    private var applying: Task<Void, any Error>?

    public init(database: any Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Returns once the migrations are applied (applying them on the first call); throws what they threw.
    public func completed() async throws {
        let applying = self.applying ?? Task { [database, logger] in try await migrate(database, logger: logger) }
        self.applying = applying
        try await applying.value
    }
}

/// Runs `then` once the database is migrated.
public struct MigratingService<Next: Service>: Service {
    let migration: Migration
    let then: Next

    public init(_ migration: Migration, then: Next) {
        self.migration = migration
        self.then = then
    }

    public func run() async throws {
        try await migration.completed()
        try await then.run()
    }
}

/// Applies pending migrations, saying which.
public func migrate(_ database: any Database, logger: Logger) async throws {
    try await database.checkReachable()
    let applied = try await Migrator.migrate(database)
    if !applied.isEmpty { logger.info("applied migrations", metadata: ["migrations": "\(applied.joined(separator: ", "))"]) }
}

/// The composition root: the HTTP application (REST API, attachments, web UI) over `database`, which it runs as a service and
/// migrates before the server accepts connections.
public func buildApplication(
    _ configuration: AppConfiguration, database: any Database, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let services = makeServices(configuration, database: database)
    let migration = Migration(database: database, logger: logger)
    let worker = configuration.runsWorker ? MigratingService(migration, then: try makeWorker(configuration, services: services, logger: logger)) : nil
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: StatementCountMiddleware(exposesCount: configuration.exposesStatementCounts))
    router.add(middleware: RequestLogMiddleware())
    RESTAPI(services: services, bodyLimit: configuration.maxRequestBytes, maxSearchResults: configuration.maxSearchResults).register(on: router)
    AttachmentTransfer(services: services).register(on: router)
    QueueAPI(services: services).register(on: router)
    try await WebUI.load(services: services, publicURL: configuration.publicURL).register(on: router)
    let wamp = WAMPRouter(
        services: services, operations: BugOperations(services: services, maxSearchResults: configuration.maxSearchResults),
        settings: configuration.realtime, logger: logger)
    let webSocket = WebSocketEndpoint(router: wamp)
    var limits = ConnectionLimits(
        idleTimeout: .milliseconds(Int(configuration.idleTimeoutSeconds * 1000)),
        headerTimeout: .milliseconds(Int(configuration.headerTimeoutSeconds * 1000)), maxConnections: configuration.maxConnections)
    let fitting = DescriptorLimit.connectionsAllowed(by: DescriptorLimit.current)
    if limits.maxConnections > fitting {
        logger.notice(
            "connection limit lowered to fit the open-files limit (raise it with ulimit -n)",
            metadata: ["max_connections": "\(fitting)", "open_files": "\(DescriptorLimit.current)"])
        limits.maxConnections = fitting
    }
    var app = Application(
        router: router,
        server: GuardedHTTP1Channel.builder(
            limits: limits, webSocket: webSocket.configuration,
            render: { refusal, path in path.map(RESTAPI.isAPIPath) == true ? RESTAPI.refusal(refusal) : .plain(refusal) },
            shouldUpgrade: webSocket.shouldUpgrade),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "BugZot",
            // Past the cap, connections are still accepted and refused with a 503 (held a moment
            // each); past a quarter more, they wait in the kernel's backlog instead of taking descriptors.
            availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections + max(16, limits.maxConnections / 4))),
        services: [database, MigratingService(migration, then: wamp)] + (worker.map { [$0] } ?? []),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
    app.beforeServerStarts {
        try await migration.completed()
        let abandoned = try await services.attachments.removeAbandonedUploads()
        if abandoned > 0 { logger.notice("removed the leftovers of uploads cut off by a crash", metadata: ["uploads": "\(abandoned)"]) }
        if try await database.read({ sql in try await SQLStore(sql).countUsers() }) == 0 {
            logger.notice(
                "The database has no users yet. Create the first administrator with: bugzot user create --login admin@example.com --admin (the password is read from standard input)"
            )
        }
    }
    return app
}
