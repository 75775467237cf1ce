import ArgumentParser
import BugZotApp
import Foundation
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the BugZot server (migrations run at start).")

    @Option(help: "Address to listen on (env BUGZOT_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env BUGZOT_PORT; default 8080).")
    var port: Int?

    @OptionGroup var storage: StorageOptions

    @Option(help: "Largest request body in bytes (env BUGZOT_MAX_REQUEST_BYTES; default 10485760).")
    var maxRequestBytes: Int?

    @Option(help: "Largest attachment in bytes (env BUGZOT_MAX_ATTACHMENT_BYTES; default 104857600).")
    var maxAttachmentBytes: Int?

    @OptionGroup var notifications: NotificationOptions

    @Flag(name: .customLong("no-worker"), help: "Don't run a job worker in this process (env BUGZOT_WORKER=0); run `bugzot worker` elsewhere.")
    var noWorker = false

    @Flag(
        name: .customLong("expose-sql-statements"),
        help: "Say in each response how many SQL statements it took (header X-BugZot-SQL-Statements), for benchmarks (env BUGZOT_EXPOSE_SQL_STATEMENTS=1); off by default, the request log has the count anyway."
    )
    var exposeSQLStatements = false

    @OptionGroup var server: ServerOptions

    @OptionGroup var shutdown: ShutdownOptions

    @OptionGroup var logging: LogOptions

    func validate() throws {
        let environment = ProcessInfo.processInfo.environment
        if let port = port ?? environment["BUGZOT_PORT"].flatMap(Int.init), !(0...65535).contains(port) {
            throw ValidationError("--port must be between 0 and 65535.")
        }
        try notifications.check()
        try server.check()
        try shutdown.check()
        try logging.check()
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var configuration = AppConfiguration()
        configuration.host = host ?? environment["BUGZOT_HOST"] ?? configuration.host
        guard let port = port ?? (environment["BUGZOT_PORT"].map { Int($0) } ?? configuration.port) else {
            throw CLIError("BUGZOT_PORT must be a number.")
        }
        configuration.port = port
        configuration.maxRequestBytes = maxRequestBytes ?? environment["BUGZOT_MAX_REQUEST_BYTES"].flatMap(Int.init) ?? configuration.maxRequestBytes
        configuration.maxAttachmentBytes =
            maxAttachmentBytes ?? environment["BUGZOT_MAX_ATTACHMENT_BYTES"].flatMap(Int.init) ?? configuration.maxAttachmentBytes
        configuration.runsWorker = !noWorker && environment["BUGZOT_WORKER"] != "0"
        configuration.exposesStatementCounts = exposeSQLStatements || environment["BUGZOT_EXPOSE_SQL_STATEMENTS"] == "1"
        notifications.apply(to: &configuration)
        storage.apply(to: &configuration)
        try server.apply(to: &configuration)
        try shutdown.apply(to: &configuration)
        let logger = logging.logger()
        // Every connection is a descriptor: take all the system allows (the connection cap fits under it).
        DescriptorLimit.raise()
        try await runReportingFailure {
            let database = try await openDatabase(configuration, logger: logger)
            let host = configuration.host
            let app = try await buildApplication(configuration, database: database, logger: logger) { port in
                // Written straight to the file descriptor so that it is never left in a buffer.
                FileHandle.standardOutput.write(Data("BugZot listening on http://\(host):\(port)/ (web UI at /, REST API at /rest)\n".utf8))
            }
            try await runUntilShutdown([app], gracePeriod: configuration.shutdownPeriod, logger: logger)
        }
    }
}

/// The log level, shared by the long-running commands.
struct LogOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error (env BUGZOT_LOG_LEVEL; default info).")
    var logLevel: String?

    func check() throws {
        if let level = logLevel, Logger.Level(rawValue: level) == nil { throw ValidationError("--log-level '\(level)' is not a log level.") }
    }

    func logger() -> Logger {
        makeLogger(level: logLevel ?? ProcessInfo.processInfo.environment["BUGZOT_LOG_LEVEL"] ?? "info")
    }
}

func makeLogger(level: String) -> Logger {
    var logger = Logger(label: "bugzot")
    logger.logLevel = Logger.Level(rawValue: level) ?? .info
    return logger
}
