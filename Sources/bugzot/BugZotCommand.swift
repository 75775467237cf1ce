import ArgumentParser
import BugZotApp
import Foundation

@main
struct BugZotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bugzot",
        abstract: "BugZot: a bug tracker that speaks Bugzilla's REST API.",
        subcommands: [Serve.self, Worker.self, Migrate.self, UserCommand.self, APIKeyCommand.self, WorkflowCommand.self]
    )
}

/// Where the data lives; shared by every command that touches the database.
struct StorageOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Folder for the SQLite database and files (env BUGZOT_DATA_DIR; default ./bugzot-data).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"), help: "PostgreSQL URL, postgres://user:password@host:port/db (env BUGZOT_DATABASE_URL). Without it, SQLite in the data dir.")
    var databaseURL: String?

    func apply(to configuration: inout AppConfiguration) {
        let environment = ProcessInfo.processInfo.environment
        configuration.dataDirectory = dataDirectory ?? environment["BUGZOT_DATA_DIR"] ?? configuration.dataDirectory
        configuration.databaseURL = (databaseURL ?? environment["BUGZOT_DATABASE_URL"]).flatMap { $0.isEmpty ? nil : $0 }
    }
}
