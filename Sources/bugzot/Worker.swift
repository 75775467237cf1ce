import ArgumentParser
import BugZotApp
import Foundation
import Logging
import ServiceLifecycle

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Run only a job worker: send queued mail and webhooks (migrations run at start). Stops on SIGTERM or SIGINT; jobs still running after the shutdown period are cut off and run again when their lease ends."
    )

    @OptionGroup var storage: StorageOptions
    @OptionGroup var notifications: NotificationOptions

    @OptionGroup var shutdown: ShutdownOptions

    @OptionGroup var logging: LogOptions

    func validate() throws {
        try notifications.check()
        try shutdown.check()
        try logging.check()
    }

    func run() async throws {
        var configuration = AppConfiguration()
        notifications.apply(to: &configuration)
        storage.apply(to: &configuration)
        try shutdown.apply(to: &configuration)
        let logger = logging.logger()
        try await runReportingFailure {
            let database = try await openDatabase(configuration, logger: logger)
            let worker = try makeWorker(configuration, services: makeServices(configuration, database: database), logger: logger)
            // The database stops last, after the worker.
            try await runUntilShutdown(
                [database, MigratingService(Migration(database: database, logger: logger), then: worker)], gracePeriod: configuration.shutdownPeriod,
                logger: logger)
        }
    }
}

/// What `serve` and `worker` share about mail and links.
struct NotificationOptions: ParsableArguments {
    @Option(help: "The address people reach BugZot at, for links sent to them, e.g. https://bugs.example.com (env BUGZOT_PUBLIC_URL; default http://HOST:PORT).")
    var publicURL: String?

    @Option(name: .customLong("smtp-url"), help: "smtp://[user:password@]host[:port] or smtps://… (env BUGZOT_SMTP_URL). Without it, mail is written to files in DATA_DIR/mail.")
    var smtpURL: String?

    @Option(help: "The sender of BugZot's mail (env BUGZOT_MAIL_FROM; default bugzot@ the public URL's host).")
    var mailFrom: String?

    @Option(help: "Seconds before a failed job's first retry; each later retry waits twice as long (env BUGZOT_JOB_RETRY_SECONDS; default 30).")
    var jobRetrySeconds: Double?

    @Option(help: "Attempts before a job is dead (env BUGZOT_JOB_MAX_ATTEMPTS; default 10).")
    var jobMaxAttempts: Int?

    @Option(help: "Seconds a claimed job is its worker's; a crashed worker's jobs run again after this. Keep it above the longest job (env BUGZOT_JOB_LEASE_SECONDS; default 300).")
    var jobLeaseSeconds: Double?

    @Option(help: "Hours events are kept for live clients to resume from (bugzot.events.since); the worker forgets older ones every hour (env BUGZOT_EVENT_RETENTION_HOURS; default 72).")
    var eventRetentionHours: Int?

    func check() throws {
        let environment = ProcessInfo.processInfo.environment
        if let url = publicURL ?? environment["BUGZOT_PUBLIC_URL"],
            !(url.hasPrefix("http://") || url.hasPrefix("https://")) || URL(string: url)?.host == nil
        {
            throw ValidationError("--public-url must be an http:// or https:// address.")
        }
        if let url = smtpURL ?? environment["BUGZOT_SMTP_URL"], !url.isEmpty {
            do { try checkSMTPURL(url) } catch { throw ValidationError("--smtp-url: \(error)") }
        }
        if let seconds = jobRetrySeconds ?? environment["BUGZOT_JOB_RETRY_SECONDS"].flatMap(Double.init), !(0.1...86400).contains(seconds) {
            throw ValidationError("--job-retry-seconds must be between 0.1 and 86400.")
        }
        if let lease = jobLeaseSeconds ?? environment["BUGZOT_JOB_LEASE_SECONDS"].flatMap(Double.init), !(1...86400).contains(lease) {
            throw ValidationError("--job-lease-seconds must be between 1 and 86400.")
        }
        if let attempts = jobMaxAttempts ?? environment["BUGZOT_JOB_MAX_ATTEMPTS"].flatMap(Int.init), !(1...100).contains(attempts) {
            throw ValidationError("--job-max-attempts must be between 1 and 100.")
        }
        if let hours = eventRetentionHours ?? environment["BUGZOT_EVENT_RETENTION_HOURS"].flatMap(Int.init), !(1...8760).contains(hours) {
            throw ValidationError("--event-retention-hours must be between 1 and 8760.")
        }
    }

    func apply(to configuration: inout AppConfiguration) {
        let environment = ProcessInfo.processInfo.environment
        configuration.publicURL = publicURL ?? environment["BUGZOT_PUBLIC_URL"]
        configuration.smtpURL = (smtpURL ?? environment["BUGZOT_SMTP_URL"]).flatMap { $0.isEmpty ? nil : $0 }
        configuration.mailFrom = mailFrom ?? environment["BUGZOT_MAIL_FROM"]
        configuration.jobRetrySeconds = jobRetrySeconds ?? environment["BUGZOT_JOB_RETRY_SECONDS"].flatMap(Double.init) ?? configuration.jobRetrySeconds
        configuration.jobMaxAttempts = jobMaxAttempts ?? environment["BUGZOT_JOB_MAX_ATTEMPTS"].flatMap(Int.init) ?? configuration.jobMaxAttempts
        configuration.jobLeaseSeconds = jobLeaseSeconds ?? environment["BUGZOT_JOB_LEASE_SECONDS"].flatMap(Double.init) ?? configuration.jobLeaseSeconds
        configuration.eventRetentionHours =
            eventRetentionHours ?? environment["BUGZOT_EVENT_RETENTION_HOURS"].flatMap(Int.init) ?? configuration.eventRetentionHours
    }
}
