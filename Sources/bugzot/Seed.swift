import ArgumentParser
import BugZotApp
import BugZotSeed
import BugZotServices
import BugZotStorage
import Foundation
import Synchronization

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill the database with generated bugs, comments, people and products (for demonstrations and benchmarks).",
        discussion: """
            Products, components, versions, milestones, people, groups (some bugs confidential), keywords, then the bugs with \
            comments (about 5 per bug, a few with hundreds), CCs, keywords, dependencies and history; skewed as real trackers are \
            (a few products hold most bugs, a few people most assignments, most bugs closed, recent activity denser). The same \
            --random-seed gives the same data. Rows go in through the bulk path (multi-row INSERTs on SQLite, COPY on PostgreSQL), \
            a transaction per batch; progress goes to standard error. A database that already has bugs is left as it is unless \
            --append is given.
            """)

    @Option(help: "How many bugs to generate.")
    var bugs = 1_000_000

    @Option(help: "The random seed: the same seed gives the same data.")
    var randomSeed: UInt64 = 1

    @Option(help: "Unix time of the latest activity (default: the start of today, UTC); bugs span the 8 years before it.")
    var endTime: Int?

    @Option(help: "Bugs per transaction.")
    var batchSize = 5_000

    @Flag(help: "Add the generated bugs to a database that already has bugs (products and people of an earlier seed are reused by name).")
    var append = false

    @Flag(help: "Read one password from standard input for every person created; without it they cannot log in (API keys made with bugzot apikey create still work).")
    var passwordStdin = false

    @OptionGroup var storage: StorageOptions

    func validate() throws {
        guard (1...100_000_000).contains(bugs) else { throw ValidationError("--bugs must be between 1 and 100000000.") }
        guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 100000.") }
    }

    func run() async throws {
        var settings = AppConfiguration()
        storage.apply(to: &settings)
        var passwordHash = "!"  // matches no password
        if passwordStdin {
            guard let password = readLine(strippingNewline: true), !password.isEmpty else {
                throw CLIError("No password on standard input. Try: echo 'a-long-password' | bugzot seed --password-stdin")
            }
            passwordHash = try await PasswordHasher(cost: settings.bcryptCost).hash(password)
        }
        let end = endTime ?? Int(Date().timeIntervalSince1970) / 86_400 * 86_400
        let (bugs, randomSeed, batchSize, append, hash) = (self.bugs, self.randomSeed, self.batchSize, self.append, passwordHash)
        try await withServices(storage) { services in
            try await Migrator.migrate(services.database)
            let (workflow, fields) = try await services.database.read { sql in
                (try await SQLStore(sql).workflow(), try await SQLStore(sql).fieldCatalog())
            }
            let generator = SeedGenerator(plan: SeedPlan(bugs: bugs, randomSeed: randomSeed, endTime: end, workflow: workflow, fields: fields))
            let report = ProgressReport()
            let summary = try await SeedLoader(database: services.database, batchSize: batchSize).load(
                generator, append: append, passwordHash: hash, progress: report.show)
            let seconds = summary.elapsed.seconds
            print(
                "Seeded bugs \(summary.firstBugID)–\(summary.firstBugID + summary.bugs - 1): \(summary.bugs) bugs, \(summary.comments) comments, "
                    + "\(summary.history) history rows, \(summary.usersCreated) new people in \(String(format: "%.1f", seconds)) s.")
        }
    }
}

/// Progress on standard error: a line about every 5% (and the last).
private final class ProgressReport: Sendable {
    private let lastShown = Mutex(-1)

    func show(_ progress: SeedLoader.Progress) {
        let percent = progress.bugs * 100 / max(1, progress.total)
        let shown = lastShown.withLock { last -> Bool in
            guard percent / 5 != last / 5 || progress.bugs == progress.total else { return false }
            last = percent
            return true
        }
        guard shown else { return }
        let seconds = max(0.001, progress.elapsed.seconds)
        let line = String(
            format: "seed: %d/%d bugs (%d%%), %d comments, %.0f s, %.0f bugs/s\n", progress.bugs, progress.total, percent,
            progress.comments, seconds, Double(progress.bugs) / seconds)
        FileHandle.standardError.write(Data(line.utf8))
    }
}

extension Duration {
    /// The duration in seconds.
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
