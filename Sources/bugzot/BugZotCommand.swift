import ArgumentParser
import BugZotApp
import Foundation

@main
struct BugZotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bugzot",
        abstract: "BugZot: a bug tracker that speaks Bugzilla's REST API.",
        subcommands: [Serve.self, Worker.self, Migrate.self, UserCommand.self, APIKeyCommand.self, WorkflowCommand.self, Seed.self]
    )
}

/// Where the data lives and how it is kept: shared by every command that touches the database,
/// so that each reads these flags and environment variables the same way.
struct StorageOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Folder for the SQLite database and files (env BUGZOT_DATA_DIR; default ./bugzot-data).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"), help: "PostgreSQL URL, postgres://user:password@host:port/db (env BUGZOT_DATABASE_URL). Without it, SQLite in the data dir.")
    var databaseURL: String?

    @Option(help: "Where attachments are kept: files (in the data dir) or database (env BUGZOT_ATTACHMENT_STORE; default files).")
    var attachmentStore: String?

    @Option(help: "bcrypt cost for new password hashes, 10 to 16 (env BUGZOT_BCRYPT_COST; default 10).")
    var bcryptCost: String?

    @Option(help: "Seconds one database call may take, waiting for a connection (SQLite: for the writer) included (env BUGZOT_DATABASE_TIMEOUT; default 30).")
    var databaseTimeout: String?

    private var environment: [String: String] { ProcessInfo.processInfo.environment }

    func validate() throws {
        if let cost = bcryptCost ?? environment["BUGZOT_BCRYPT_COST"], !(UInt8(cost).map { (10...16).contains($0) } ?? false) {
            throw ValidationError("--bcrypt-cost (or BUGZOT_BCRYPT_COST) must be between 10 and 16.")
        }
        if let store = attachmentStore ?? environment["BUGZOT_ATTACHMENT_STORE"], AttachmentStoreKind(rawValue: store) == nil {
            throw ValidationError("--attachment-store (or BUGZOT_ATTACHMENT_STORE) must be files or database.")
        }
        if let timeout = databaseTimeout ?? environment["BUGZOT_DATABASE_TIMEOUT"], !(Double(timeout).map { (1...3600).contains($0) } ?? false) {
            throw ValidationError("--database-timeout (or BUGZOT_DATABASE_TIMEOUT) must be a number of seconds between 1 and 3600.")
        }
    }

    func apply(to configuration: inout AppConfiguration) {
        configuration.dataDirectory = dataDirectory ?? environment["BUGZOT_DATA_DIR"] ?? configuration.dataDirectory
        configuration.databaseURL = (databaseURL ?? environment["BUGZOT_DATABASE_URL"]).flatMap { $0.isEmpty ? nil : $0 }
        if let store = (attachmentStore ?? environment["BUGZOT_ATTACHMENT_STORE"]).flatMap(AttachmentStoreKind.init) {
            configuration.attachmentStore = store
        }
        if let cost = (bcryptCost ?? environment["BUGZOT_BCRYPT_COST"]).flatMap(UInt8.init) { configuration.bcryptCost = cost }
        if let timeout = (databaseTimeout ?? environment["BUGZOT_DATABASE_TIMEOUT"]).flatMap(Double.init) {
            configuration.databaseTimeoutSeconds = timeout
        }
    }
}
