import ArgumentParser
import BugZotApp
import BugZotDomain
import BugZotServices
import BugZotStorage
import Foundation
import Logging

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        try await withServices(storage) { services in
            let applied = try await Migrator.migrate(services.database)
            print(applied.isEmpty ? "The database is up to date." : "Applied: \(applied.joined(separator: ", "))")
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage user accounts.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user; the password is read from standard input (one line).")

        @Option(help: "The login name: an email address.")
        var login: String

        @Option(help: "The user's real name.")
        var name: String = ""

        @Flag(help: "Make the user an administrator.")
        var admin = false

        @Option(name: .customLong("group"), help: "Add the user to this group (repeatable).")
        var groups: [String] = []

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            guard let password = readLine(strippingNewline: true), !password.isEmpty else {
                throw CLIError("No password on standard input. Try: echo 'a-long-password' | bugzot user create --login \(login)")
            }
            try await withServices(storage) { services in
                try await Migrator.migrate(services.database)
                let groups = (admin ? [SystemGroup.admin.rawValue] : []) + groups
                let id = try await services.users.createAccount(login: login, realName: name, password: password, groups: groups)
                print("Created user \(id): \(login.lowercased())\(groups.isEmpty ? "" : " in " + groups.joined(separator: ", "))")
            }
        }
    }
}

struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apikey", abstract: "Manage API keys.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key for a user and print it (shown only once).")

        @Option(help: "The user's login name.")
        var login: String

        @Option(help: "What the key is for.")
        var description: String = ""

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await withServices(storage) { services in
                try await Migrator.migrate(services.database)
                let users = try await services.database.read { sql in try await SQLStore(sql).users(logins: [login]) }
                guard let user = users.first else { throw CLIError("There is no user with the login \(login).") }
                let key = try await services.auth.createAPIKey(userID: user.id, description: description)
                print("API key for \(user.login) (store it now; it is not shown again):")
                print(key)
            }
        }
    }
}

struct WorkflowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workflow", abstract: "Show or switch the bug workflow.", subcommands: [Show.self, Use.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the installation's workflow.")
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await withServices(storage) { services in
                try await Migrator.migrate(services.database)
                let workflow = try await services.catalog.workflow()
                print("Workflow: \(workflow.name)")
                for status in workflow.statuses {
                    let targets = workflow.targets(from: status.name).map(\.to).joined(separator: ", ")
                    print("  \(status.name) (\(status.isOpen ? "open" : "closed")) → \(targets)")
                }
                print("  new bugs → \(workflow.targets(from: nil).map(\.to).joined(separator: ", "))")
                print("Resolutions: \(workflow.resolutions.joined(separator: ", "))")
            }
        }
    }

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch to a shipped workflow: classic or bugzilla5.")

        @Argument(help: "classic or bugzilla5")
        var name: String

        @OptionGroup var storage: StorageOptions

        func validate() throws {
            guard Workflow.shipped[name] != nil else {
                throw ValidationError("Unknown workflow '\(name)'. Choose from: \(Workflow.shipped.keys.sorted().joined(separator: ", ")).")
            }
        }

        func run() async throws {
            try await withServices(storage) { services in
                try await Migrator.migrate(services.database)
                try await services.catalog.useWorkflow(Workflow.shipped[name]!)
                print("The workflow is now \(name).")
            }
        }
    }
}

/// A failure to report as one line.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with the services over the configured database, the database's service running.
func withServices(_ storage: StorageOptions, _ body: @escaping @Sendable (AppServices) async throws -> Void) async throws {
    var settings = AppConfiguration()
    storage.apply(to: &settings)
    let configuration = settings
    let logger = makeLogger(level: "warning")
    try await runReportingFailure {
        let database = try await openDatabase(configuration, logger: logger)
        try await database.withRunning {
            try await database.checkReachable()
            try await body(makeServices(configuration, database: database))
        }
    }
}

/// Prints a failure as one clear line on standard error and exits non-zero.
func runReportingFailure(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as DomainError {
        throw fail(error.message)
    } catch let error as CLIError {
        throw fail(error.description)
    } catch let error as DatabaseURLError {
        throw fail(error.description)
    } catch let error as DatabaseUnreachable {
        throw fail(error.description)
    } catch {
        throw fail(describe(error))
    }
}

private func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data(("bugzot: " + message + "\n").utf8))
    return ExitCode.failure
}

/// A one-line description of low-level failures people commonly meet.
private func describe(_ error: any Error) -> String {
    let text = String(describing: error)
    if text.contains("Address already in use") || text.contains("EADDRINUSE") { return "The port is already in use: \(text)" }
    if text.contains("connection") || text.contains("Connection") || text.contains("PSQLError") {
        return "Cannot use the database: \(text)"
    }
    return text
}
